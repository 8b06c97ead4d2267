"""Renderings of a run's result: JSON (the contract), JUnit XML, and the terminal summary."""
