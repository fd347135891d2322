"""Registry (Картотека): management companies, providers, houses, premises, accounts."""
