#include "jobs/export_input.h"

namespace tsb::jobs {

Status CheckScatterInput(const FileTarget& input) {
  std::string why;
  if (input.path == "-") {
    why = "stdin is a stream";
  } else if (!input.not_regular.empty()) {
    why = input.path + " is " + input.not_regular;
  } else if (input.compression != TextCompression::kNone) {
    why = input.path + " is compressed (" + std::string(CompressionName(input.compression)) +
          "), so it can only be read from its start";
  }
  if (why.empty()) return Status::OK();
  return Status::InvalidArgument(
      "--scatter reads the input at several places at once and needs a seekable, "
      "uncompressed file; " +
      why);
}

Status CheckColumnsOfFirstRecords(const FileTarget& input, const JobSpec& spec) {
  if (!input.format->columns_per_record) return Status::OK();
  if (input.path == "-" || !input.not_regular.empty()) return Status::OK();
  TSB_ASSIGN_OR_RETURN(auto reader, OpenReader(TargetReaderOptions(input)));
  RowBatch batch(std::make_shared<const Schema>(reader->schema()), 1);
  TSB_RETURN_IF_ERROR(reader->Next(&batch));
  if (batch.num_rows() == 0 && batch.rejects().empty()) return Status::OK();  // empty input
  // The reader infers its keys from the first MiB; a first line longer than that leaves none.
  if (reader->schema().size() == 0) return Status::OK();
  for (const Field& f : spec.columns) {
    if (reader->schema().Find(f.name) < 0) {
      return Status::InvalidArgument(input.path + ": the spec's column \"" + f.name +
                                     "\" is not a key of the input's first lines");
    }
  }
  return Status::OK();
}

}  // namespace tsb::jobs
