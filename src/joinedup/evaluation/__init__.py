"""Impact evaluation and value for money: does the work make a difference, and is it worth it."""
