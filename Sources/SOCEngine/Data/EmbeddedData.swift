/// The engine's data files, compiled into the binary by `scripts/embed-engine-data.py`:
/// the ATT&CK catalogue, the default customers, the IP reputation list and the analyst dashboard.
enum EmbeddedData {}
