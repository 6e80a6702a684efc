"""Operations controls changed live by on-call engineers: flags, rate limits, blocklist, audit."""
