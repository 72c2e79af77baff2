"""Operations: `/healthz` (`health`), the backup archive's format (`backup`) and the
start-up checks (`checks`)."""
