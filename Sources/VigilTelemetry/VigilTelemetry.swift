// VigilTelemetry: Prometheus metrics (swift-prometheus behind swift-metrics), systemd notify and
// watchdog (libsystemd through CSystemd), and Vigil's own logging.
