// Placeholder until the emulator lands.
