"""Finite-N ground truth: exact enumeration, max-margin solvers and learning algorithms."""
