"""Tests of the office review pages: to-do, review queue, records, concerns, photos, access."""
