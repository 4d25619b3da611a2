// Placeholder until the format registry lands.
