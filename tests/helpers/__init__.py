"""Helpers of tfrank's own tests: small data, processes, faults, the bad-input catalogue."""
