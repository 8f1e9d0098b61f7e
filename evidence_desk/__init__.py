"""Evidence Desk: evidence organiser and complaint dossier builder for Alibaba.com sellers."""

__version__ = "0.1.0"
