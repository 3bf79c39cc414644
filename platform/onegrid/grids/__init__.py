"""The grid registry and the grids report: grid standards met against real grids."""
