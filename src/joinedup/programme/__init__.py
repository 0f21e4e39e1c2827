"""Programme management: the partnership's meetings, their minutes and the actions they set."""
