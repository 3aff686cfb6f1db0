// Kizuna. The `kizuna` binary: dispatches to one subcommand.
int main() { return 0; }
