"""Magento 2 / Adobe Commerce store adapter (REST `/rest/<store>/V1`), change detection by polling."""
