"""Running at trust and national scale: object storage, several servers, backups, synthetic data, query counts."""
