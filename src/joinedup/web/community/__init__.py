"""Community capacity: the directory of community assets, needs against assets, and signposting."""
