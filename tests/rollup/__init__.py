"""Tests of the roll-up: deadlines from term dates, and the factories the office tests share."""
