"""What `make bench` runs the portal with (README: "Benchmarks"); production never loads it.

`lkk.bench.settings` are the production settings with one more URL: the *floor view*, a
login-required page that runs one indexed query and returns a few bytes through the whole
middleware stack. Every page's requests per second are divided by the floor's, measured side by
side, so that the figures say how close a page comes to what the framework itself costs.
"""
