import ArgumentParser
import Logging
import VigilTelemetry

// `vigil up --log-format json --log-level debug`: both values are spelled as their raw values.
extension LogFormat: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}
