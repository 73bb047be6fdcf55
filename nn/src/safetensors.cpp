#include "ember/nn/safetensors.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "ember/ember.h"

namespace ember::safetensors {
namespace {

using Json = nlohmann::ordered_json;

// The safetensors library's limit: a larger header is refused as corrupt.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
// A header nests three levels (the header, a tensor's entry, its shape); the library's JSON
// reader refuses more than 128. Deeper values would also overflow the stack when printed.
constexpr int kMaxNesting = 128;
// How much of a bad value an error message quotes.
constexpr size_t kQuotedChars = 80;

// `value` as JSON text for an error message, cut short past kQuotedChars.
std::string quoted(const Json& value) {
  std::string text = value.dump();
  if (text.size() > kQuotedChars) text = text.substr(0, kQuotedChars) + "...";
  return text;
}

// The format's dtype names, in the order of the library's Dtype enum: files list wider dtypes first.
struct FormatType {
  const char* name;
  DType dtype;
};
constexpr FormatType kFormatTypes[] = {
    {"BOOL", DType::Bool}, {"U8", DType::UInt8},      {"I8", DType::Int8},     {"F16", DType::Float16}, {"BF16", DType::BFloat16},
    {"I32", DType::Int32}, {"F32", DType::Float32}, {"F64", DType::Float64}, {"I64", DType::Int64},
};

int format_rank(DType dtype) {
  for (size_t i = 0; i < std::size(kFormatTypes); ++i) {
    if (kFormatTypes[i].dtype == dtype) return static_cast<int>(i);
  }
  return -1;
}

const char* format_name(DType dtype) { return kFormatTypes[format_rank(dtype)].name; }

// The host bytes of a tensor, contiguous and on the CPU.
Tensor host_contiguous(const Tensor& t) {
  const Tensor cpu = t.device() == Device("cpu") ? t : t.to(Device("cpu"));
  return cpu.detach().contiguous();
}

}  // namespace

std::string serialize(const nn::NamedTensors& tensors, const Metadata& metadata) {
  std::vector<std::pair<std::string, Tensor>> ordered;
  for (const auto& [name, t] : tensors) {
    EMBER_CHECK(t.defined(), "[safetensors] {}: expected a defined tensor", name);
    EMBER_CHECK(name != "__metadata__", "[safetensors] name: '__metadata__' is reserved by the format");
    EMBER_CHECK(format_rank(t.dtype()) >= 0,
                "[safetensors] {}: the format has no {} type; save int_repr() with its scale and zero point, or "
                "dequantize() it", name, dtype_name(t.dtype()));
    ordered.emplace_back(name, host_contiguous(t));
  }
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    const int ra = format_rank(a.second.dtype()), rb = format_rank(b.second.dtype());
    return ra != rb ? ra > rb : a.first < b.first;
  });
  for (size_t i = 1; i < ordered.size(); ++i) {
    EMBER_CHECK(ordered[i].first != ordered[i - 1].first, "[safetensors] name: '{}' appears twice", ordered[i].first);
  }

  Json header = Json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : ordered) {
    const uint64_t bytes = static_cast<uint64_t>(t.numel()) * itemsize(t.dtype());
    header[name] = {{"dtype", format_name(t.dtype())}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');

  std::string out(8, '\0');
  const uint64_t length = text.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(length >> (8 * i) & 0xff);  // little-endian
  out += text;
  out.reserve(out.size() + offset);
  for (const auto& [name, t] : ordered) {
    out.append(static_cast<const char*>(t.raw_data()), static_cast<size_t>(t.numel()) * itemsize(t.dtype()));
  }
  return out;
}

Contents deserialize(std::string_view bytes, const std::string& source) {
  EMBER_CHECK(bytes.size() >= 8, "[safetensors] {}: expected at least 8 bytes (the header length), got {}", source,
              bytes.size());
  uint64_t header_size = 0;
  for (int i = 0; i < 8; ++i) header_size |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  EMBER_CHECK(header_size <= kMaxHeaderBytes && header_size <= bytes.size() - 8,
              "[safetensors] {}: header length {} exceeds the file ({} bytes) or the format's limit", source,
              header_size, bytes.size());
  const std::string_view data = bytes.substr(8 + header_size);

  Json header;
  try {
    header = Json::parse(bytes.substr(8, header_size), [&](int depth, Json::parse_event_t, Json&) {
      EMBER_CHECK(depth <= kMaxNesting, "[safetensors] {}: the header nests values deeper than {} levels", source,
                  kMaxNesting);
      return true;
    });
  } catch (const Json::exception& e) {
    EMBER_CHECK(false, "[safetensors] {}: the header is not valid JSON: {}", source, e.what());
  }
  EMBER_CHECK(header.is_object(), "[safetensors] {}: expected the header to be a JSON object", source);

  Contents contents;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      EMBER_CHECK(entry.is_object(), "[safetensors] {}: expected __metadata__ to map strings to strings", source);
      for (const auto& [key, value] : entry.items()) {
        EMBER_CHECK(value.is_string(), "[safetensors] {}: metadata '{}' is not a string", source, key);
        contents.metadata[key] = value.get<std::string>();
      }
      continue;
    }
    auto field = [&](const char* key) -> const Json& {
      EMBER_CHECK(entry.is_object() && entry.contains(key), "[safetensors] {}: tensor '{}' lacks '{}'", source, name, key);
      return entry.at(key);
    };
    const Json& dtype_field = field("dtype");
    const Json& shape_field = field("shape");
    const Json& offsets_field = field("data_offsets");
    const auto type = std::find_if(std::begin(kFormatTypes), std::end(kFormatTypes), [&](const FormatType& f) {
      return dtype_field.is_string() && dtype_field.get<std::string>() == f.name;
    });
    EMBER_CHECK(type != std::end(kFormatTypes), "[safetensors] {}: tensor '{}' has dtype {}, which Ember does not hold",
                source, name, quoted(dtype_field));
    EMBER_CHECK(shape_field.is_array(), "[safetensors] {}: tensor '{}': expected shape to be a list", source, name);
    std::vector<int64_t> shape;
    uint64_t numel = 1;
    for (const Json& d : shape_field) {
      EMBER_CHECK(d.is_number_unsigned() && d.get<uint64_t>() < (uint64_t{1} << 48),
                  "[safetensors] {}: tensor '{}': expected sizes to be non-negative integers, got {}", source, name,
                  quoted(shape_field));
      const uint64_t size = d.get<uint64_t>();
      EMBER_CHECK(size == 0 || numel <= (uint64_t{1} << 62) / size, "[safetensors] {}: tensor '{}' is too large",
                  source, name);
      numel *= size;
      shape.push_back(static_cast<int64_t>(size));
    }
    EMBER_CHECK(offsets_field.is_array() && offsets_field.size() == 2 && offsets_field[0].is_number_unsigned() &&
                    offsets_field[1].is_number_unsigned(),
                "[safetensors] {}: tensor '{}': expected data_offsets [begin, end], got {}", source, name,
                quoted(offsets_field));
    const uint64_t begin = offsets_field[0].get<uint64_t>(), end = offsets_field[1].get<uint64_t>();
    const uint64_t expected = numel * itemsize(type->dtype);
    EMBER_CHECK(begin <= end && end - begin == expected && end <= data.size(),
                "[safetensors] {}: tensor '{}' claims bytes [{}, {}) but needs {} bytes within the {} stored", source,
                name, begin, end, expected, data.size());
    Tensor t = empty(shape, type->dtype);
    if (expected > 0) std::memcpy(t.raw_data(), data.data() + begin, expected);
    contents.tensors.emplace_back(name, std::move(t));
    ranges.emplace_back(begin, end);
  }
  // Like the reference reader: the byte ranges must tile the data exactly, without gaps or overlap.
  std::sort(ranges.begin(), ranges.end());
  uint64_t covered = 0;
  for (const auto& [begin, end] : ranges) {
    EMBER_CHECK(begin == covered, "[safetensors] {}: tensor byte ranges overlap or leave a gap at byte {}", source,
                covered);
    covered = end;
  }
  EMBER_CHECK(covered == data.size(), "[safetensors] {}: {} bytes of data follow the header but tensors cover {}",
              source, data.size(), covered);
  return contents;
}

void save_file(const nn::NamedTensors& tensors, const std::string& path, const Metadata& metadata) {
  const std::string bytes = serialize(tensors, metadata);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  EMBER_CHECK(out.good(), "[safetensors] {}: cannot open the file for writing", path);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  EMBER_CHECK(out.good(), "[safetensors] {}: writing failed", path);
}

Contents load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EMBER_CHECK(in.good(), "[safetensors] {}: cannot open the file", path);
  std::string bytes;
  try {
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::ios_base::failure& e) {  // a directory opens, then fails on the first read
    EMBER_FAIL("[safetensors] {}: cannot read the file: {}", path, e.what());
  }
  return deserialize(bytes, path);
}

}  // namespace ember::safetensors

namespace ember::nn {

void save(const Module& module, const std::string& path) {
  safetensors::save_file(module.state_dict(), path, {{"format", "pt"}});
}

void load(Module& module, const std::string& path) {
  load_state(module, safetensors::load_file(path).tensors, true, "load", path);
}

}  // namespace ember::nn
