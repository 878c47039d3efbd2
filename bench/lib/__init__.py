"""What the benchmarks in bench/ share, one purpose a module:

- database: the grid_bench database (bench/seed.py makes it; the others use it)
- timing: timers, interleaved runs, percentiles
- report: printing; the "figure vs baseline = ratio" lines every benchmark ends with
- processes: stopping child processes within a bounded time
- users: the benchmarks' users in grid_bench
"""
