"""What the tests and the benchmarks share: data files, the clock, the fake Telegram, and scenarios."""
