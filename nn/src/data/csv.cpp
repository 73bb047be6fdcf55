#include "ember/data/csv.h"

#include <zlib.h>

#include <cerrno>
#include <cstdlib>
#include <memory>

#include "ember/ember.h"

namespace ember::data {
namespace {

// zlib's gzread passes uncompressed files through unchanged, so one reader serves both.
std::string read_all(const std::string& path) {
  const std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), &gzclose);
  EMBER_CHECK(file != nullptr, "[read_csv] {}: cannot open the file", path);
  std::string text;
  char buffer[1 << 16];
  int n;
  while ((n = gzread(file.get(), buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
  int code = Z_OK;
  const char* message = gzerror(file.get(), &code);
  EMBER_CHECK(n == 0 && (code == Z_OK || code == Z_STREAM_END), "[read_csv] {}: reading failed: {}", path, message);
  return text;
}

}  // namespace

Tensor read_csv(const std::string& path, const CsvOptions& options) {
  const std::string text = read_all(path);
  std::vector<double> values;
  int64_t columns = -1, rows = 0, line_number = 0;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(at, end - at);
    at = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (options.header && line_number == 1)) continue;
    int64_t fields = 0;
    size_t start = 0;
    while (true) {
      const size_t stop = std::min(line.find(options.delimiter, start), line.size());
      const std::string field = line.substr(start, stop - start);
      char* parsed_end = nullptr;
      errno = 0;
      const double v = std::strtod(field.c_str(), &parsed_end);
      const bool whole = parsed_end != field.c_str() && *parsed_end == '\0';
      EMBER_CHECK(whole && errno == 0, "[read_csv] {}:{}: field {} is '{}', expected a number", path, line_number,
                  fields + 1, field);
      values.push_back(v);
      ++fields;
      if (stop == line.size()) break;
      start = stop + 1;
    }
    if (columns < 0) columns = fields;
    EMBER_CHECK(fields == columns, "[read_csv] {}:{}: expected {} fields like the first row, got {}", path,
                line_number, columns, fields);
    ++rows;
  }
  EMBER_CHECK(rows > 0, "[read_csv] {}: no rows", path);
  return tensor<double>(ArrayRef<double>(values), {rows, columns}).to(options.dtype);
}

}  // namespace ember::data
