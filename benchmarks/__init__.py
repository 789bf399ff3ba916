"""Performance benchmarks: ``make bench`` runs ``benchmarks/run.py`` (not part of ``make test``)."""
