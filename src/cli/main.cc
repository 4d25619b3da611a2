// tsbridge: moves data between Tablestore tables and Parquet, CSV and JSON Lines files.
#include <cstdio>

int main(int argc, char** argv) {
  (void)argc;
  (void)argv;
  std::fprintf(stderr, "tsbridge: not built yet\n");
  return 1;
}
