"""What the benchmarks in bench/ share, one purpose a module:

- database: the grid_bench database (bench/seed.py makes it; the others use it)
- timing: timers, interleaved runs, percentiles
- report: printing; the "figure vs baseline = ratio" lines every benchmark ends with
- processes: stopping child processes within a bounded time
- cpu: CPU seconds of processes, of PostgreSQL backends and of the whole machine
- broker: a private Mosquitto for a run (devstack's configuration), MQTT clients, the
  background publisher and the plain subscriber (MQTT delivery time) of the SOS benchmarks
- mqtt_publish: a raw MQTT 3.1.1 publisher of pre-encoded QoS 1 packets
- terminals: the bench terminals in grid_bench and what the ingester wrote for them
- stream: a stream of the bench terminals' messages in their formats
- ingester: ``manage.py run_ingester`` as a child process
- browser: headless Chromium through Playwright, bounded so that it cannot hang a run
- users: the benchmarks' users in grid_bench
- smsc: the SMSC simulator as a process of its own, logging what it accepts
"""
