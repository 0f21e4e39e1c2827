"""Programme management: the work programme, its funding and its risk register."""
