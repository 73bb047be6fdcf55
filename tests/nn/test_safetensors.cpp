// safetensors: byte-for-byte what the safetensors library writes (a file it wrote is checked
// in), strict reading of damaged files, and saving/loading modules.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "ember/ember.h"
#include "ember/nn.h"
#include "ember/nn/safetensors.h"

using namespace ember;

namespace {

const std::string kReference = std::string(EMBER_TEST_DATA_DIR) + "/reference.safetensors";

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The tensors make_reference.py saved, built with Ember.
nn::NamedTensors reference_tensors() {
  return {
      {"weight", arange(6, DType::Float32).reshape({2, 3}) * 0.5 - 1},
      {"bias", tensor<double>({0.25, -4.0})},
      {"steps", scalar_tensor(7, DType::Int64)},
      {"mask", tensor<bool>({true, false, true})},
      {"half", tensor<float>({1.5, -2.0}).to(DType::Float16)},
      {"count", tensor<int32_t>({42})},
      {"bytes", tensor<int64_t>({0, 255}).to(DType::UInt8)},
      {"small", tensor<int64_t>({-128, 127}).to(DType::Int8)},
      {"empty", zeros({0, 3})},
  };
}

std::string temp_path(const char* name) { return (std::filesystem::temp_directory_path() / name).string(); }

// `bytes` with the 8-byte length prefix replaced by the header's own length.
std::string with_header(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(header.size() >> (8 * i) & 0xff);
  return out + header + data;
}

}  // namespace

TEST_CASE("Ember writes the same bytes as the safetensors library") {
  const std::string expected = read_bytes(kReference);
  REQUIRE(expected.size() == 631);
  CHECK(safetensors::serialize(reference_tensors(), {{"format", "pt"}}) == expected);
}

TEST_CASE("a file the safetensors library wrote reads back with every dtype, shape and value") {
  const safetensors::Contents file = safetensors::load_file(kReference);
  CHECK(file.metadata == safetensors::Metadata{{"format", "pt"}});
  std::map<std::string, Tensor> by_name(file.tensors.begin(), file.tensors.end());
  for (const auto& [name, expected] : reference_tensors()) {
    CAPTURE(name);
    const Tensor& got = by_name.at(name);
    CHECK(got.dtype() == expected.dtype());
    CHECK(got.sizes().equals(expected.sizes()));
    CHECK(to_vector<double>(got.to(DType::Float64)) == to_vector<double>(expected.to(DType::Float64)));
  }
  CHECK(by_name.at("small").to(DType::Int64).select(0, 0).item<int64_t>() == -128);
}

TEST_CASE("bfloat16 and non-contiguous tensors round-trip") {
  const Tensor strided = arange(12, DType::Float32).reshape({3, 4}).transpose(0, 1);
  const Tensor bf16 = tensor<float>({1, -0.5, 3}).to(DType::BFloat16);
  const auto back = safetensors::deserialize(safetensors::serialize({{"t", strided}, {"b", bf16}}));
  CHECK(back.tensors[0].first == "t");  // float32 sorts before bfloat16
  CHECK(to_vector<float>(back.tensors[0].second) == to_vector<float>(strided.contiguous()));
  CHECK(back.tensors[1].second.dtype() == DType::BFloat16);
  CHECK(to_vector<float>(back.tensors[1].second.to(DType::Float32)) == std::vector<float>{1, -0.5, 3});
  CHECK_THROWS_WITH(safetensors::serialize({{"a", ones({1})}, {"a", ones({2})}}), "[safetensors] name: 'a' appears twice");
}

TEST_CASE("damaged files are refused with the reason, never read out of bounds") {
  const std::string good = read_bytes(kReference);
  CHECK_THROWS_WITH(safetensors::deserialize(good.substr(0, 5), "f"),
                    "[safetensors] f: expected at least 8 bytes (the header length), got 5");
  CHECK_THROWS_WITH(safetensors::deserialize(good.substr(0, 300), "f"),
                    "[safetensors] f: header length 560 exceeds the file (300 bytes) or the format's limit");
  CHECK_THROWS_WITH(safetensors::deserialize(good.substr(0, good.size() - 1), "f"),
                    "[safetensors] f: tensor 'mask' claims bytes [60, 63) but needs 3 bytes within the 62 stored");
  CHECK_THROWS_WITH(safetensors::deserialize(with_header("{\"a\":", ""), "f"),
                    doctest::Contains("[safetensors] f: the header is not valid JSON"));
  CHECK_THROWS_WITH(safetensors::deserialize(with_header("[1]", ""), "f"),
                    "[safetensors] f: expected the header to be a JSON object");
  CHECK_THROWS_WITH(
      safetensors::deserialize(with_header(R"({"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})", "x"), "f"),
      "[safetensors] f: tensor 'a' has dtype \"F8_E4M3\", which Ember does not hold");
  CHECK_THROWS_WITH(safetensors::deserialize(with_header(R"({"a":{"dtype":"F32","shape":[2]}})", ""), "f"),
                    "[safetensors] f: tensor 'a' lacks 'data_offsets'");
  CHECK_THROWS_WITH(
      safetensors::deserialize(with_header(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", "1234"), "f"),
      "[safetensors] f: tensor 'a': expected sizes to be non-negative integers, got [-1]");
  CHECK_THROWS_WITH(safetensors::deserialize(
                        with_header(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})", "12"), "f"),
                    "[safetensors] f: tensor byte ranges overlap or leave a gap at byte 0");
  CHECK_THROWS_WITH(safetensors::deserialize(
                        with_header(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})", "12"), "f"),
                    "[safetensors] f: 2 bytes of data follow the header but tensors cover 1");
  // Deep nesting is refused while parsing: printing such a value recursed once per level and
  // overflowed the stack. Long bad values are quoted in part.
  const std::string nested = std::string(100'000, '[') + std::string(100'000, ']');
  CHECK_THROWS_WITH(
      safetensors::deserialize(with_header(R"({"a":{"dtype":)" + nested + R"(,"shape":[1],"data_offsets":[0,1]}})", "x"), "f"),
      "[safetensors] f: the header nests values deeper than 128 levels");
  CHECK_THROWS_WITH(
      safetensors::deserialize(with_header(R"({"a":{"dtype":")" + std::string(1000, 'F') + R"(","shape":[1],"data_offsets":[0,1]}})", "x"), "f"),
      ("[safetensors] f: tensor 'a' has dtype \"" + std::string(79, 'F') + "..., which Ember does not hold").c_str());
  CHECK_THROWS_WITH(safetensors::load_file("/"), doctest::Contains("[safetensors] /: cannot read the file"));
  // A quantized tensor has no safetensors type (format_name read before its table for one).
  CHECK_THROWS_WITH(safetensors::serialize({{"q", quantize_per_tensor(ones({2}), 0.1, 0, DType::QInt8)}}),
                    "[safetensors] q: the format has no qint8 type; save int_repr() with its scale and zero point, "
                    "or dequantize() it");
  CHECK_THROWS_WITH(safetensors::load_file("/nonexistent/model.safetensors"),
                    "[safetensors] /nonexistent/model.safetensors: cannot open the file");
}

TEST_CASE("a module saves and loads its state; mismatches are listed before anything changes") {
  auto make = [] {
    return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::UnaryModule>>{
        std::make_shared<nn::Linear>(3, 4), std::make_shared<nn::BatchNorm1d>(4), std::make_shared<nn::Linear>(4, 2)});
  };
  auto trained = make();
  const Tensor x = randn({5, 3});
  trained->forward(x);  // moves the running statistics off their initial values
  trained->eval();
  const std::string path = temp_path("ember_test_module.safetensors");
  nn::save(*trained, path);

  auto fresh = make();
  fresh->eval();
  CHECK(to_vector<float>(fresh->forward(x)) != to_vector<float>(trained->forward(x)));
  nn::load(*fresh, path);
  CHECK(to_vector<float>(fresh->forward(x)) == to_vector<float>(trained->forward(x)));

  auto wide = make();
  wide->to(DType::Float64);
  nn::load(*wide, path);  // cast on load
  CHECK(wide->parameters()[0].dtype() == DType::Float64);

  nn::Sequential other({std::make_shared<nn::Linear>(3, 5), std::make_shared<nn::Linear>(5, 2)});
  const Tensor before = other[0]->parameters()[0].clone();
  const std::string expected_error =
                    "[load] " + path + ": does not match the module; unexpected: 1.num_batches_tracked, "
                    "1.running_mean, 1.running_var, 2.bias, 2.weight; mis-shaped: 0.weight (state [4, 3], module [5, 3]), "
                    "0.bias (state [4], module [5]), 1.weight (state [4], module [2, 5]), 1.bias (state [4], module [2])";
  CHECK_THROWS_WITH(nn::load(other, path), expected_error.c_str());
  CHECK(to_vector<float>(other[0]->parameters()[0]) == to_vector<float>(before));
  std::remove(path.c_str());
}
