"""Validation against things nobody here wrote: published silicon measurements and peer
simulators, each case with its source."""
