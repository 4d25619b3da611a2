// One client session that calls every operation the emulator serves, on table "t" (primary key
// pk STRING, n INTEGER). The emulator target runs it once to give the fuzzed requests a table with
// rows to hit; fuzz_seeds runs it through a recording transport to write the seed corpora.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tsbridge/tablestore/client.h"

namespace tsb::fuzz {

// The operations of the emulator target, by its input's byte 0 (one unknown name included).
inline constexpr const char* kOperations[] = {"CreateTable",
                                              "ListTable",
                                              "DescribeTable",
                                              "UpdateTable",
                                              "DeleteTable",
                                              "GetRow",
                                              "PutRow",
                                              "UpdateRow",
                                              "DeleteRow",
                                              "GetRange",
                                              "BatchGetRow",
                                              "BatchWriteRow",
                                              "ComputeSplitPointsBySize",
                                              "NoSuchOperation"};
inline constexpr size_t kOperationCount = sizeof(kOperations) / sizeof(kOperations[0]);

// The calls of the client target, by its input's byte 0.
inline constexpr const char* kClientCalls[] = {
    "ListTable",   "DescribeTable", "UpdateTable",
    "GetRow",      "PutRow",        "GetRange",
    "BatchGetRow", "BatchWriteRow", "ComputeSplitPointsBySize"};
inline constexpr size_t kClientCallCount = sizeof(kClientCalls) / sizeof(kClientCalls[0]);

inline void Must(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "fuzz session: %s: %s\n", what, s.ToString().c_str());
    std::abort();
  }
}

inline void RunSession(ots::Client& c) {
  using namespace tsb::ots;
  CreateTableRequest create;
  create.meta.name = "t";
  create.meta.primary_key = {{"pk", PrimaryKeyType::kString}, {"n", PrimaryKeyType::kInteger}};
  create.options.max_versions = 3;
  Must(c.CreateTable(create), "CreateTable");
  Must(c.ListTable().status(), "ListTable");
  Must(c.DescribeTable("t").status(), "DescribeTable");
  UpdateTableRequest update;
  update.table = "t";
  update.options = TableOptions{};
  update.options->max_versions = 2;
  Must(c.UpdateTable(update).status(), "UpdateTable");

  std::vector<Row> rows(4);
  const char* keys[] = {"a", "b", "c", "d"};
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].primary_key = {Cell{"pk", Value::String(keys[i])},
                           Cell{"n", Value::Integer(static_cast<int64_t>(i))}};
    rows[i].attributes = {Cell{"s", Value::String("text")}, Cell{"d", Value::Double(2.5)},
                          Cell{"b", Value::Boolean(true)}, Cell{"x", Value::Binary("\x01\x02")},
                          Cell{"i", Value::Integer(-7)}};
  }
  WriteRowRequest put;
  put.table = "t";
  put.row = &rows[0];
  put.return_content.type = ReturnType::kPrimaryKey;
  WriteRowResult written;
  Must(c.PutRow(put, &written), "PutRow");

  BatchWriteRowRequest batch;
  BatchWriteTable bt{"t", {}};
  for (size_t i = 1; i < rows.size(); ++i) bt.rows.push_back(RowWrite{WriteType::kPut, &rows[i]});
  batch.tables.push_back(bt);
  BatchResult batch_result;
  Must(c.BatchWriteRow(batch, &batch_result), "BatchWriteRow");

  Row update_row;
  update_row.primary_key = rows[1].primary_key;
  update_row.attributes = {Cell{"s", Value::String("new")},
                           Cell{"d", std::nullopt, CellOp::kDeleteAllVersions},
                           Cell{"i", Value::Integer(3), CellOp::kIncrement}};
  WriteRowRequest upd;
  upd.table = "t";
  upd.row = &update_row;
  Must(c.UpdateRow(upd, &written), "UpdateRow");

  GetRowRequest get;
  get.table = "t";
  get.primary_key = rows[0].primary_key;
  GetRowResult got;
  Must(c.GetRow(get, &got), "GetRow");

  GetRangeRequest range;
  range.table = "t";
  range.inclusive_start = {Cell{"pk", Value::InfMin()}, Cell{"n", Value::InfMin()}};
  range.exclusive_end = {Cell{"pk", Value::InfMax()}, Cell{"n", Value::InfMax()}};
  range.limit = 2;
  GetRangeResult page;
  Must(c.GetRange(range, &page), "GetRange");

  BatchGetRowRequest bget;
  bget.tables.push_back(BatchGetTable{"t", {rows[0], rows[2]}});
  Must(c.BatchGetRow(bget, &batch_result), "BatchGetRow");

  ComputeSplitsRequest splits;
  splits.table = "t";
  ComputeSplitsResult split_result;
  Must(c.ComputeSplitPointsBySize(splits, &split_result), "ComputeSplitPointsBySize");

  WriteRowRequest del;
  del.table = "t";
  del.row = &rows[3];
  Must(c.DeleteRow(del, &written), "DeleteRow");
}

}  // namespace tsb::fuzz
