"""Bundled demo news site ("Le Journal du Monde") for ``make demo`` and end-to-end tests."""
