// Copies and casts, fills, ranges, joining, indexing and random numbers on the CPU backend.
#include <cmath>
#include <cstring>
#include <limits>

#include "ember/half.h"
#include "ember/random_draws.h"

#include "reference.h"

using namespace ember;
using reference::check_close;

TEST_CASE("copy_ converts between every pair of dtypes") {
  const Tensor f = tensor({-2.75f, 0.f, 1.5f, 3.f});
  CHECK(to_vector<int64_t>(f.to(DType::Int64)) == std::vector<int64_t>{-2, 0, 1, 3});  // truncation
  CHECK(to_vector<bool>(f.to(DType::Bool)) == std::vector<bool>{true, false, true, true});
  CHECK(to_vector<int64_t>(tensor<bool>({true, false}).to(DType::Int32)) == std::vector<int64_t>{1, 0});
  CHECK(to_vector<float>(f.to(DType::Float16)) == std::vector<float>{-2.75f, 0.f, 1.5f, 3.f});
  CHECK(to_vector<float>(f.to(DType::BFloat16)) == std::vector<float>{-2.75f, 0.f, 1.5f, 3.f});
  CHECK(to_vector<float>(tensor({1.f / 3.f}).to(DType::BFloat16)) == std::vector<float>{0.333984375f});
  CHECK(to_vector<float>(tensor({1.f / 3.f}).to(DType::Float16)) == std::vector<float>{0.333251953125f});
  CHECK(to_vector<float>(tensor({70000.f}).to(DType::Float16))[0] == INFINITY);
  CHECK(to_vector<float>(tensor({1e-7f}).to(DType::Float16))[0] == doctest::Approx(1.1920929e-07f));
  Tensor dst = zeros({2, 3});
  dst.copy_(tensor({1.f, 2.f, 3.f}));  // src broadcasts to self
  CHECK(to_vector<float>(dst) == std::vector<float>{1.f, 2.f, 3.f, 1.f, 2.f, 3.f});
  dst.transpose(0, 1).copy_(arange(6).reshape({3, 2}));
  CHECK(to_vector<float>(dst) == std::vector<float>{0.f, 2.f, 4.f, 1.f, 3.f, 5.f});
  CHECK_THROWS_WITH(dst.copy_(ones({4})), "[copy_] src: shapes [2, 3] and [4] do not broadcast (dimension 1: 3 vs 4)");
  CHECK_THROWS_WITH(zeros({3}).copy_(dst), "[copy_] src: shape [2, 3] does not broadcast to [3]");
}

TEST_CASE("float16 casts round to nearest even as the SDK's converter does, for every float16 and a sweep of floats") {
  // Dense runs go through F16C where the CPU has it, strided ones through the SDK's converter:
  // both must give the same bits (NaNs aside, whose payload the instructions keep).
  std::vector<uint16_t> every(65536);
  for (size_t b = 0; b < every.size(); ++b) every[b] = static_cast<uint16_t>(b);
  const Tensor halves = from_host(every.data(), every.size(), DType::Float16, {65536});
  auto same = [](float a, float b) { return std::isnan(a) ? std::isnan(b) : std::memcmp(&a, &b, sizeof a) == 0; };
  const std::vector<float> widened = to_vector<float>(halves), strided = to_vector<float>(halves.view({256, 256}).t());
  int64_t mismatches = 0;
  for (size_t b = 0; b < every.size(); ++b) {
    mismatches += !same(widened[b], half::fp16_to_float(every[b]));
    mismatches += !same(strided[(b % 256) * 256 + b / 256], half::fp16_to_float(every[b]));
  }
  CHECK(mismatches == 0);
  std::vector<float> sweep;
  for (uint64_t bits = 0; bits < (uint64_t{1} << 32); bits += 65521) {
    const auto u = static_cast<uint32_t>(bits);
    float f;
    std::memcpy(&f, &u, sizeof f);
    sweep.push_back(f);
  }
  sweep.insert(sweep.end(), {65504.f, 65519.99f, 65520.f, 5.960464477539063e-08f, 2.9802322387695312e-08f, -0.f});
  const std::vector<float> narrowed =
      to_vector<float>(from_host(sweep.data(), sweep.size(), DType::Float32, {static_cast<int64_t>(sweep.size())})
                           .to(DType::Float16));
  mismatches = 0;
  for (size_t i = 0; i < sweep.size(); ++i) mismatches += !same(narrowed[i], half::fp16_to_float(half::float_to_fp16(sweep[i])));
  CHECK(mismatches == 0);
  CHECK(narrowed[narrowed.size() - 4] == INFINITY);  // 65520 rounds up past the largest float16
  CHECK(narrowed[narrowed.size() - 2] == 0.f);       // half the smallest subnormal ties to even: zero
}

TEST_CASE("factories: zeros, ones, full, arange, eye, empty with a dtype") {
  CHECK(to_vector<float>(eye(2)) == std::vector<float>{1, 0, 0, 1});
  CHECK(to_vector<int64_t>(eye(2, 3, DType::Int64)) == std::vector<int64_t>{1, 0, 0, 0, 1, 0});
  CHECK(eye(0, 4).sizes().equals({0, 4}));
  // A fill value must fit the dtype, as PyTorch's checked conversion asks.
  CHECK(to_vector<int64_t>(full({2}, -128, DType::Int8)) == std::vector<int64_t>{-128, -128});
  CHECK(to_vector<int64_t>(full({1}, 2.7, DType::Int64)) == std::vector<int64_t>{2});  // truncated, as a cast
  CHECK(to_vector<float>(full({1}, 65504.0, DType::Float16)) == std::vector<float>{65504.f});
  CHECK(std::isinf(to_vector<float>(full({1}, INFINITY, DType::BFloat16))[0]));
  CHECK_THROWS_WITH(full({2}, 300, DType::Int8), "[fill_.Scalar] value: 300 cannot be converted to int8 without overflow");
  CHECK_THROWS_WITH(ones({2}, DType::UInt8).fill_(-1), "[fill_.Scalar] value: -1 cannot be converted to uint8 without overflow");
  CHECK_THROWS_WITH(full({1}, NAN, DType::Int32), "[fill_.Scalar] value: nan cannot be converted to int32 without overflow");
  CHECK_THROWS_WITH(full({1}, 1e19, DType::Int64), "[fill_.Scalar] value: 1e+19 cannot be converted to int64 without overflow");
  CHECK_THROWS_WITH(full({1}, 1e5, DType::Float16), "[fill_.Scalar] value: 100000 cannot be converted to float16 without overflow");
  CHECK_THROWS_WITH(arange(6, DType::Int8).masked_fill(ge(arange(6), scalar_tensor(3)), 1000),
                    "[fill_.Scalar] value: 1000 cannot be converted to int8 without overflow");
  CHECK_THROWS_WITH(eye(-1), "[eye] size: expected non-negative sizes, got -1");
  CHECK_THROWS_WITH(eye(std::numeric_limits<int64_t>::max()), "[eye] size: the number of elements overflows int64");
  CHECK(to_vector<float>(zeros({2, 2})) == std::vector<float>(4, 0.f));
  Tensor filled = full({2, 3}, 5.f);
  filled.select(0, 1).zero_();  // through a view, in place, as PyTorch's zero_
  CHECK(to_vector<float>(filled) == std::vector<float>{5, 5, 5, 0, 0, 0});
  CHECK(to_vector<int64_t>(zero_(arange(3, DType::Int8))) == std::vector<int64_t>{0, 0, 0});
  CHECK(ones({3}, DType::Int32).dtype() == DType::Int32);
  CHECK(full({2}, 7).dtype() == DType::Int64);
  CHECK(full({2}, 2.5).dtype() == DType::Float32);
  CHECK(to_vector<double>(full({2}, 2.5, DType::Float64)) == std::vector<double>{2.5, 2.5});
  CHECK(to_vector<int64_t>(arange(5)) == std::vector<int64_t>{0, 1, 2, 3, 4});
  CHECK(to_vector<float>(arange(1, 2, 0.25)) == std::vector<float>{1.f, 1.25f, 1.5f, 1.75f});
  CHECK(to_vector<int64_t>(arange(10, 0, -3)) == std::vector<int64_t>{10, 7, 4, 1});
  CHECK_THROWS_WITH(arange(0, 5, -1), "[arange] end: 5 cannot be reached from 0 with step -1");
  CHECK_THROWS_WITH(arange(0, INFINITY, 1),
                    "[arange] end: inf elements from 0 to inf with step 1, more than a tensor can hold");
  CHECK_THROWS_WITH(arange(0, 1, 1e-300), doctest::Contains("elements from 0 to 1 with step 1e-300, more than a tensor can hold"));
  CHECK_THROWS_WITH(empty({2}, DType::QInt8),
                    "[empty] dtype: a qint8 tensor needs a scale and zero point; make it with quantize_per_tensor or "
                    "quantize_per_channel");
  CHECK(empty({2, 3}, DType::BFloat16).sizes().equals({2, 3}));
  CHECK_THROWS_WITH(empty({2, -1}), "[empty] size: expected non-negative sizes, got -1");
  // Elements that int64 counts but whose bytes it does not (this used to wrap round to a tiny block).
  CHECK_THROWS_WITH(empty({std::numeric_limits<int64_t>::max()}, DType::Float64),
                    "[empty] size: 9223372036854775807 elements of float64 take more bytes than int64 counts");
  CHECK(scalar_tensor(3).item<int64_t>() == 3);
}

TEST_CASE("cat and stack") {
  const Tensor a = arange(6).reshape({2, 3}), b = arange(3).reshape({1, 3}) * 10;
  CHECK(to_vector<int64_t>(cat({a, b})) == std::vector<int64_t>{0, 1, 2, 3, 4, 5, 0, 10, 20});
  CHECK(to_vector<int64_t>(cat({a, a}, 1)) == std::vector<int64_t>{0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5});
  CHECK(cat({a, b.to(DType::Float32)}).dtype() == DType::Float32);
  const Tensor s = stack({a, a * 2}, 1);
  CHECK(s.sizes().equals({2, 2, 3}));
  CHECK(to_vector<int64_t>(s.select(1, 1)) == std::vector<int64_t>{0, 2, 4, 6, 8, 10});
  CHECK_THROWS_WITH(cat({a, ones({2, 2})}), "[cat] tensors[1]: expected size 3 at dimension 1, got 2");
  CHECK_THROWS_WITH(stack({a, b}), "[stack] tensors[1]: expected shape [2, 3], got [1, 3]");
  CHECK_THROWS_WITH(cat({}), "[cat] tensors: expected a non-empty list of tensors");
}

TEST_CASE("narrow is a view; flip copies in reverse; masked_fill writes where the mask holds") {
  const Tensor x = arange(12).reshape({3, 4});
  const Tensor n = x.narrow(1, -3, 2);
  CHECK(n.sizes().equals({3, 2}));
  CHECK(to_vector<int64_t>(n) == std::vector<int64_t>{1, 2, 5, 6, 9, 10});
  CHECK(n.data_ptr<int64_t>() == x.data_ptr<int64_t>() + 1);
  CHECK(x.narrow(0, 3, 0).numel() == 0);
  CHECK_THROWS_WITH(x.narrow(0, 2, 2), "[narrow] length: expected a value in [0, 1] (3 elements of dimension 0 from 2), got 2");
  CHECK_THROWS_WITH(x.narrow(1, -5, 1), "[narrow] start: expected a value in [-4, 4] for dimension 1 of size 4, got -5");
  CHECK_THROWS_WITH(scalar_tensor(1).narrow(0, 0, 1), "[narrow] self: cannot narrow a 0-dim tensor");

  CHECK(to_vector<int64_t>(x.flip({0})) == std::vector<int64_t>{8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3});
  CHECK(to_vector<int64_t>(x.flip({-1, 0})) == std::vector<int64_t>{11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0});
  CHECK(to_vector<int64_t>(x.transpose(0, 1).flip({1})) == std::vector<int64_t>{8, 4, 0, 9, 5, 1, 10, 6, 2, 11, 7, 3});
  const Tensor same = x.flip({});
  CHECK(same.data_ptr<int64_t>() != x.data_ptr<int64_t>());  // always a copy, as PyTorch's
  CHECK(to_vector<int64_t>(same) == to_vector<int64_t>(x));
  CHECK(empty({0, 2}).flip({0}).sizes().equals({0, 2}));
  CHECK_THROWS_WITH(x.flip({1, -1}), "[flip] dims: dimension -1 appears more than once");
  CHECK_THROWS_WITH(x.flip({2}), "[flip] dim: expected a value in [-2, 1], got 2");

  const Tensor column = tensor<bool>({true, false, true}, {3, 1});
  CHECK(to_vector<int64_t>(x.masked_fill(column, -1)) == std::vector<int64_t>{-1, -1, -1, -1, 4, 5, 6, 7, -1, -1, -1, -1});
  const Tensor f = x.to(DType::Float32);
  CHECK(to_vector<float>(f.masked_fill(gt(f, scalar_tensor(9.f)), -0.5)).back() == -0.5f);
  Tensor y = f.clone();
  y.masked_fill_(lt(y, scalar_tensor(2.f)), 7);
  CHECK(to_vector<float>(y.narrow(1, 0, 3).select(0, 0)) == std::vector<float>{7.f, 7.f, 2.f});
  CHECK_THROWS_WITH(x.masked_fill(tensor<int64_t>({1}), 0), "[masked_fill] mask: expected a bool tensor, got int64");
  CHECK_THROWS_WITH(x.masked_fill(tensor<bool>({true}, {1, 1, 1}), 0),
                    "[masked_fill] mask: shape [1, 1, 1] does not broadcast to self's shape [3, 4]");
  CHECK_THROWS_WITH(x.masked_fill(tensor<bool>({true, false}), 0),
                    "[masked_fill] mask: shapes [3, 4] and [2] do not broadcast (dimension 1: 4 vs 2)");
}

TEST_CASE("tril and triu keep a triangle; repeat tiles; split, chunk and unbind give views") {
  const Tensor m = arange(1, 13).reshape({3, 4});
  CHECK(to_vector<int64_t>(m.tril()) == std::vector<int64_t>{1, 0, 0, 0, 5, 6, 0, 0, 9, 10, 11, 0});
  CHECK(to_vector<int64_t>(m.triu(1)) == std::vector<int64_t>{0, 2, 3, 4, 0, 0, 7, 8, 0, 0, 0, 12});
  CHECK(to_vector<int64_t>(m.tril(-1)) == std::vector<int64_t>{0, 0, 0, 0, 5, 0, 0, 0, 9, 10, 0, 0});
  CHECK(to_vector<int64_t>(m.triu(std::numeric_limits<int64_t>::min())) == to_vector<int64_t>(m));
  const Tensor batch = stack({m, m * 2}).to(DType::Float32);
  CHECK(to_vector<float>(batch.tril().select(0, 1).select(0, 1)) == std::vector<float>{10, 12, 0, 0});
  CHECK_THROWS_WITH(arange(3).tril(), "[tril] self: expected a tensor of at least 2 dimensions, got [3]");

  const Tensor r = tensor<int64_t>({1, 2}).repeat({2, 3});
  CHECK(r.sizes().equals({2, 6}));
  CHECK(to_vector<int64_t>(r) == std::vector<int64_t>{1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2});
  CHECK(to_vector<int64_t>(m.transpose(0, 1).repeat({1, 2}).select(0, 3)) == std::vector<int64_t>{4, 8, 12, 4, 8, 12});
  const Tensor copy = m.repeat({1, 1});
  CHECK(copy.data_ptr<int64_t>() != m.data_ptr<int64_t>());  // always a copy, as PyTorch's
  CHECK(m.repeat({0, 2}).sizes().equals({0, 8}));
  CHECK_THROWS_WITH(m.repeat({2}), "[repeat] repeats: expected at least 2 values (one per dimension), got 1");
  CHECK_THROWS_WITH(m.repeat({1, -1}), "[repeat] repeats: expected non-negative counts, got [1, -1]");
  CHECK_THROWS_AS(m.repeat({std::numeric_limits<int64_t>::max(), 2}), ember::Error);

  const std::vector<Tensor> pieces = split(m, 3, 1);
  REQUIRE(pieces.size() == 2);
  CHECK(pieces[1].sizes().equals({3, 1}));
  CHECK(to_vector<int64_t>(pieces[1]) == std::vector<int64_t>{4, 8, 12});
  CHECK(pieces[0].data_ptr<int64_t>() == m.data_ptr<int64_t>());  // views
  const std::vector<Tensor> sized = split_with_sizes(m, {1, 2});
  CHECK(to_vector<int64_t>(sized[1].select(0, 0)) == std::vector<int64_t>{5, 6, 7, 8});
  CHECK(chunk(arange(5), 3).size() == 3);   // pieces of 2, 2, 1
  CHECK(chunk(arange(6), 4).size() == 3);   // pieces of 2: fewer than asked, as torch.chunk
  CHECK(chunk(empty({0}), 4).size() == 1);
  const std::vector<Tensor> rows = unbind(m);
  REQUIRE(rows.size() == 3);
  CHECK(to_vector<int64_t>(rows[2]) == std::vector<int64_t>{9, 10, 11, 12});
  CHECK_THROWS_WITH(split(m, 0), "[split] split_size: expected a positive size (0 only for an empty dimension), got 0");
  CHECK_THROWS_WITH(split_with_sizes(m, {1, 1}),
                    "[split_with_sizes] split_sizes: expected non-negative sizes summing to 3 (dimension 0), got [1, 1]");
  CHECK_THROWS_WITH(split_with_sizes(m, {4, -1}),
                    "[split_with_sizes] split_sizes: expected non-negative sizes summing to 3 (dimension 0), got [4, -1]");
  CHECK_THROWS_WITH(chunk(m, 0), "[chunk] chunks: expected a positive number, got 0");
  CHECK_THROWS_WITH(unbind(scalar_tensor(1)), "[unbind] self: cannot split a 0-dim tensor");
}

TEST_CASE("index_select and gather, with indices checked") {
  const Tensor x = arange(12).reshape({3, 4});
  CHECK(to_vector<int64_t>(x.index_select(0, tensor<int64_t>({2, 0}))) == std::vector<int64_t>{8, 9, 10, 11, 0, 1, 2, 3});
  CHECK(to_vector<int64_t>(x.index_select(1, tensor<int32_t>({3, -1}))) == std::vector<int64_t>{3, 3, 7, 7, 11, 11});
  CHECK_THROWS_WITH(x.index_select(0, tensor<int64_t>({3})),
                    "[index_select] cpu plugin kernel failed (status 1): index 3 is out of range for dimension 0 of size 3");
  CHECK_THROWS_WITH(x.index_select(0, tensor({0.f})), "[index_select] index: expected dtype int64 or int32, got float32");
  const Tensor idx = tensor<int64_t>({0, 3, 1, 1, 2, 0}, {3, 2});
  CHECK(to_vector<int64_t>(x.gather(1, idx)) == std::vector<int64_t>{0, 3, 5, 5, 10, 8});
  CHECK(to_vector<int64_t>(x.gather(0, tensor<int64_t>({2, 1, 0}, {1, 3}))) == std::vector<int64_t>{8, 5, 2});
  CHECK_THROWS_WITH(x.gather(1, tensor<int64_t>({9}, {1, 1})),
                    "[gather] cpu plugin kernel failed (status 1): index 9 is out of range for dimension 1 of size 4");
}

TEST_CASE("index_add and scatter_add accumulate, repeated indices included") {
  const Tensor base = arange(6).reshape({3, 2}).to(DType::Float32);
  const Tensor added = index_add(base, 0, tensor<int64_t>({2, 2, 0}), ones({3, 2}) * 10);
  CHECK(to_vector<float>(added) == std::vector<float>{10, 11, 2, 3, 24, 25});
  CHECK(to_vector<float>(base) == std::vector<float>{0, 1, 2, 3, 4, 5});  // functional: self untouched
  const Tensor scattered = scatter_add(zeros({2, 3}), 1, tensor<int64_t>({0, 0, 2, 1}, {2, 2}), tensor({1.f, 2.f, 3.f, 4.f}, {2, 2}));
  CHECK(to_vector<float>(scattered) == std::vector<float>{3, 0, 0, 0, 4, 3});
  CHECK_THROWS_WITH(index_add(base, 0, tensor<int64_t>({0}), ones({2, 2})),
                    "[index_add] source: expected size 1 at dimension 0, got 2");
  CHECK_THROWS_WITH(scatter_add(zeros({2}), 0, tensor<int64_t>({5}), ones({1})),
                    "[scatter_add] cpu plugin kernel failed (status 1): index 5 is out of range for dimension 0 of size 2");
  // Kernels address self along dim, which a 0-dim tensor lacks (index_add used to read past it).
  const Tensor scalar = full({}, 1.5);
  CHECK_THROWS_WITH(index_add(scalar, 0, tensor<int64_t>({0}), full({}, 2.0)),
                    "[index_add] self: expected a tensor with at least one dimension, got a 0-dim one; unsqueeze(0) it first");
  CHECK_THROWS_WITH(scalar.index_select(0, tensor<int64_t>({5})), doctest::Contains("[index_select] self: expected a tensor with at least one dimension"));
}

TEST_CASE("index_copy and scatter store, one store winning where an index repeats") {
  const Tensor base = arange(6).reshape({3, 2}).to(DType::Float32);
  const Tensor copied = index_copy(base, 0, tensor<int64_t>({2, -3}), tensor({7.f, 8.f, 9.f, 10.f}, {2, 2}));
  CHECK(to_vector<float>(copied) == std::vector<float>{9, 10, 2, 3, 7, 8});
  CHECK(to_vector<float>(base) == std::vector<float>{0, 1, 2, 3, 4, 5});
  // The CPU stores in order, so the last of a repeated index wins.
  CHECK(to_vector<float>(base.index_copy(1, tensor<int64_t>({1, 1}), tensor({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {3, 2}))) ==
        std::vector<float>{0, 2, 2, 4, 4, 6});
  const Tensor scattered = zeros({2, 3}, DType::Int64).scatter(1, tensor<int64_t>({2, 0, 1, 2}, {2, 2}),
                                                                tensor<int64_t>({5, 6, 7, 8}, {2, 2}));
  CHECK(to_vector<int64_t>(scattered) == std::vector<int64_t>{6, 0, 5, 0, 7, 8});
  Tensor in_place = zeros({4});
  in_place.index_copy_(0, tensor<int64_t>({3}), tensor({2.5f}));
  in_place.scatter_(0, tensor<int64_t>({0}), tensor({1.5f}));
  in_place.index_add_(0, tensor<int64_t>({3}), tensor({1.f}));
  CHECK(to_vector<float>(in_place) == std::vector<float>{1.5, 0, 0, 3.5});
  CHECK_THROWS_WITH(index_copy(base, 0, tensor<int64_t>({3}), ones({1, 2})),
                    "[index_copy] cpu plugin kernel failed (status 1): index 3 is out of range for dimension 0 of size 3");
  CHECK_THROWS_WITH(index_copy(base, 0, tensor<int64_t>({0}), ones({1, 3})),
                    "[index_copy] source: expected size 2 at dimension 1, got 3");
  CHECK_THROWS_WITH(scatter(base, 1, tensor<int64_t>({0}), ones({1, 1})), "[scatter.src] index: expected 2 dimensions like self, got 1");
}

TEST_CASE("scatter_reduce: each reduction with and without self, integer means, NaN, errors") {
  // Target 0 receives 5 and 7, target 1 receives 6, 8 and 10, target 2 receives 9, target 3 nothing.
  const Tensor self = tensor<double>({1, 2, 3, 4}), index = tensor<int64_t>({0, 1, 0, 1, 2, 1});
  const Tensor src = tensor<double>({5, 6, 7, 8, 9, 10});
  const auto reduced = [&](const char* reduce, bool include_self) {
    return to_vector<double>(self.scatter_reduce(0, index, src, reduce, include_self));
  };
  CHECK(reduced("sum", true) == std::vector<double>{13, 26, 12, 4});
  CHECK(reduced("sum", false) == std::vector<double>{12, 24, 9, 4});
  CHECK(reduced("prod", true) == std::vector<double>{35, 960, 27, 4});
  CHECK(reduced("prod", false) == std::vector<double>{35, 480, 9, 4});
  CHECK(reduced("mean", true) == std::vector<double>{13.0 / 3, 6.5, 6, 4});
  CHECK(reduced("mean", false) == std::vector<double>{6, 8, 9, 4});
  CHECK(reduced("amax", true) == std::vector<double>{7, 10, 9, 4});
  CHECK(reduced("amin", true) == std::vector<double>{1, 2, 3, 4});
  CHECK(reduced("amin", false) == std::vector<double>{5, 6, 9, 4});
  // Integer means round towards -inf: -7 / 3 is -3.
  CHECK(to_vector<int64_t>(zeros({2}, DType::Int64).scatter_reduce(0, tensor<int64_t>({0, 0, 1}), tensor<int64_t>({-3, -4, 5}), "mean")) ==
        std::vector<int64_t>{-3, 2});
  const auto with_nan = to_vector<double>(self.scatter_reduce(0, tensor<int64_t>({1}), tensor<double>({NAN}), "amax"));
  CHECK(std::isnan(with_nan[1]));
  // Along dim 1 of a matrix, src wider than index (its last column takes no part); in place too.
  Tensor m = zeros({2, 3}, DType::Float64);
  m.scatter_reduce_(1, tensor<int64_t>({2, 2, 0, 0}, {2, 2}), tensor<double>({1, 2, 99, 3, 4, 99}, {2, 3}), "amax", false);
  CHECK(to_vector<double>(m) == std::vector<double>{0, 0, 2, 4, 0, 0});
  CHECK_THROWS_WITH(self.scatter_reduce(0, index, src, "max"),
                    "[scatter_reduce.two] reduce: expected 'sum', 'prod', 'mean', 'amax' or 'amin', got 'max'");
  CHECK_THROWS_WITH(self.scatter_reduce(0, tensor<int64_t>({4}), tensor<double>({1}), "sum"),
                    doctest::Contains("index 4 is out of range for dimension 0 of size 4"));
  CHECK_THROWS_WITH(tensor<bool>({true}).scatter_reduce(0, tensor<int64_t>({0}), tensor<bool>({false}), "sum"),
                    "[scatter_reduce.two] self: expected a numeric tensor, got bool");
}

TEST_CASE("take reads flat positions; take_along_dim gathers with broadcasting") {
  const Tensor x = tensor<int64_t>({10, 30, 20, 60, 40, 50}, {2, 3});
  CHECK(to_vector<int64_t>(take(x, tensor<int64_t>({0, -1, 4, 2}, {2, 2}))) == std::vector<int64_t>{10, 50, 40, 20});
  CHECK(x.take(tensor<int32_t>({3})).sizes().equals({1}));
  CHECK_THROWS_WITH(take(x, tensor<int64_t>({6})), doctest::Contains("index 6 is out of range for dimension 0 of size 6"));
  CHECK_THROWS_WITH(take(x, tensor<double>({1})), "[take] index: expected dtype int64 or int32, got float64");
  // Sorting each row through the indices argsort gives, as PyTorch's example.
  CHECK(to_vector<int64_t>(take_along_dim(x, argsort(x, 1), 1)) == std::vector<int64_t>{10, 20, 30, 40, 50, 60});
  // One row of indices broadcast over both rows, and one index per row broadcast over nothing.
  CHECK(to_vector<int64_t>(x.take_along_dim(tensor<int64_t>({2, 0}, {1, 2}), 1)) == std::vector<int64_t>{20, 10, 50, 60});
  CHECK(to_vector<int64_t>(take_along_dim(x, tensor<int64_t>({0, 2}, {2, 1}), -1)) == std::vector<int64_t>{10, 50});
  CHECK(to_vector<int64_t>(take_along_dim(x, tensor<int64_t>({5, 0}))) == std::vector<int64_t>{50, 10});
  CHECK_THROWS_WITH(take_along_dim(x, tensor<int64_t>({0}), 0), "[take_along_dim] indices: expected 2 dimensions like self, got 1");
  CHECK_THROWS_WITH(take_along_dim(x, tensor<int64_t>({0, 0, 0, 0, 0, 0}, {3, 2}), 1), doctest::Contains("[take_along_dim] indices"));
}

TEST_CASE("scatter_reduce gradients: exact at zeros for prod, shared among ties for amax") {
  const Tensor index = tensor<int64_t>({0, 0, 0, 1});
  // Target 0 takes 2, 0 and 3 (one zero): the zero's gradient is the product of the rest, the
  // others' 0; target 1 takes 0 beside self's 0: two zeros, no gradient at all.
  const Tensor self = tensor<double>({5, 0}).requires_grad_(), src = tensor<double>({2, 0, 3, 0}).requires_grad_();
  const auto prod = autograd::grad({self.scatter_reduce(0, index, src, "prod").sum()}, {self, src});
  CHECK(to_vector<double>(prod[0]) == std::vector<double>{0, 0});
  CHECK(to_vector<double>(prod[1]) == std::vector<double>{0, 30, 0, 0});
  // amax over self 3 and src 3, 1, 3: three winners share the gradient.
  const Tensor s = tensor<double>({3}).requires_grad_(), v = tensor<double>({3, 1, 3}).requires_grad_();
  const auto amax = autograd::grad({s.scatter_reduce(0, tensor<int64_t>({0, 0, 0}), v, "amax")}, {s, v},
                                   {tensor<double>({6})});
  CHECK(to_vector<double>(amax[0]) == std::vector<double>{2});
  CHECK(to_vector<double>(amax[1]) == std::vector<double>{2, 0, 2});
}

TEST_CASE("nonzero lists coordinates in row-major order; masked_select picks elements") {
  const Tensor x = tensor<int64_t>({0, 3, 0, 5, 0, 0, 7, 1}, {2, 2, 2});
  CHECK(to_vector<int64_t>(nonzero(x)) == std::vector<int64_t>{0, 0, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1});
  CHECK(shape_str(nonzero(x).sizes()) == "[4, 3]");
  CHECK(shape_str(nonzero(zeros({2, 3})).sizes()) == "[0, 2]");
  CHECK(shape_str(nonzero(full({}, 2.0)).sizes()) == "[1, 0]");
  CHECK(to_vector<int64_t>(tensor<bool>({true, false, true}).nonzero()) == std::vector<int64_t>{0, 2});
  // NaN is nonzero, as PyTorch's.
  CHECK(to_vector<int64_t>(nonzero(tensor<float>({0.f, NAN, -0.f}))) == std::vector<int64_t>{1});
  const Tensor a = arange(6).reshape({2, 3});
  CHECK(to_vector<int64_t>(a.masked_select(a.remainder(2) == 0)) == std::vector<int64_t>{0, 2, 4});
  // The mask broadcasts with self (and self with the mask).
  CHECK(to_vector<int64_t>(a.masked_select(tensor<bool>({true, false, true}))) == std::vector<int64_t>{0, 2, 3, 5});
  CHECK(to_vector<int64_t>(tensor<int64_t>({4, 5}).masked_select(tensor<bool>({true, false, false, true}, {2, 2}))) ==
        std::vector<int64_t>{4, 5});
  CHECK_THROWS_WITH(a.masked_select(ones({2, 3})), "[masked_select] mask: expected a bool tensor, got float32");
  CHECK_THROWS_WITH(a.masked_select(ones({4}, DType::Bool)), doctest::Contains("[masked_select]"));
}

TEST_CASE("masked_scatter and masked_fill with a tensor value") {
  const Tensor a = arange(6).reshape({2, 3});
  const Tensor even = a.remainder(2) == 0;
  // Positions 0, 2 and 4 take source's first three elements in row-major order.
  CHECK(to_vector<int64_t>(a.masked_scatter(even, tensor<int64_t>({10, 11, 12, 13}, {2, 2}))) ==
        std::vector<int64_t>{10, 1, 11, 3, 12, 5});
  // The mask broadcasts with self, and self with the mask.
  CHECK(to_vector<int64_t>(masked_scatter(a, tensor<bool>({false, true, false}), tensor<int64_t>({7, 8}))) ==
        std::vector<int64_t>{0, 7, 2, 3, 8, 5});
  CHECK(masked_scatter(tensor<int64_t>({1, 2, 3}), ones({2, 1}, DType::Bool), arange(6)).sizes().equals({2, 3}));
  Tensor target = zeros({2, 2});
  target.masked_scatter_(tensor<bool>({true, false, false, true}, {2, 2}), tensor({1.5f, 2.5f}));
  CHECK(to_vector<float>(target) == std::vector<float>{1.5, 0, 0, 2.5});
  CHECK_THROWS_WITH(a.masked_scatter(even, tensor<int64_t>({1, 2})),
                    "[masked_scatter] source: expected at least 3 elements (the mask's true count), got 2");
  CHECK_THROWS_WITH(a.masked_scatter(even, ones({3})), "[masked_scatter] source: expected dtype int64 like self, got float32");
  CHECK_THROWS_WITH(zeros({3}).masked_scatter_(ones({2, 1}, DType::Bool), ones({6})),
                    "[masked_scatter_] mask: shape [2, 1] does not broadcast to self's shape [3]");

  CHECK(to_vector<int64_t>(a.masked_fill(even, scalar_tensor(-1, DType::Int64))) == std::vector<int64_t>{-1, 1, -1, 3, -1, 5});
  Tensor filled = zeros({3});
  filled.masked_fill_(tensor<bool>({false, true, true}), scalar_tensor(2.5, DType::Float64));
  CHECK(to_vector<float>(filled) == std::vector<float>{0, 2.5, 2.5});
  CHECK_THROWS_WITH(a.masked_fill(even, tensor<int64_t>({1, 2})), "[masked_fill] value: expected a 0-dim tensor, got shape [2]");
}

TEST_CASE("index_fill and index_reduce write the slices an index names") {
  const Tensor base = arange(6).reshape({2, 3}).to(DType::Float32);
  CHECK(to_vector<float>(base.index_fill(1, tensor<int64_t>({0, -1}), -1)) == std::vector<float>{-1, 1, -1, -1, 4, -1});
  CHECK(to_vector<float>(index_fill(base, 0, tensor<int32_t>({1}), scalar_tensor(9.0))) ==
        std::vector<float>{0, 1, 2, 9, 9, 9});
  CHECK(to_vector<float>(base.index_fill(0, scalar_tensor(0, DType::Int64), 5)) == std::vector<float>{5, 5, 5, 3, 4, 5});
  CHECK(scalar_tensor(3.0).index_fill(0, tensor<int64_t>({0}), 1).item<double>() == 1);
  Tensor in_place = zeros({4});
  in_place.index_fill_(0, tensor<int64_t>({3, 1, 3}), 2);
  CHECK(to_vector<float>(in_place) == std::vector<float>{0, 2, 0, 2});
  CHECK_THROWS_WITH(base.index_fill(1, tensor<int64_t>({3}), 0), "[index_fill] index: expected entries in [-3, 3), got 3");
  CHECK_THROWS_WITH(base.index_fill(1, tensor<int64_t>({-4}), 0), "[index_fill] index: expected entries in [-3, 3), got -4");
  CHECK_THROWS_WITH(base.index_fill(1, ones({1}), 0), "[index_fill] index: expected dtype int64 or int32, got float32");
  CHECK_THROWS_WITH(base.index_fill(2, tensor<int64_t>({0}), 0), doctest::Contains("[index_fill]"));

  // Rows 0 and 2 of source reduce into row 1 of self, row 1 of source into row 0.
  const Tensor self = tensor({1.f, 2.f, 3.f, 4.f}, {2, 2});
  const Tensor source = tensor({2.f, 3.f, 5.f, 7.f, 4.f, 1.f}, {3, 2});
  const Tensor index = tensor<int64_t>({1, 0, 1});
  CHECK(to_vector<float>(self.index_reduce(0, index, source, "prod")) == std::vector<float>{5, 14, 24, 12});
  CHECK(to_vector<float>(self.index_reduce(0, index, source, "prod", false)) == std::vector<float>{5, 7, 8, 3});
  CHECK(to_vector<float>(self.index_reduce(0, index, source, "mean")) == std::vector<float>{3, 4.5, 3, 8.0f / 3});
  CHECK(to_vector<float>(self.index_reduce(0, index, source, "amax", false)) == std::vector<float>{5, 7, 4, 3});
  CHECK(to_vector<float>(self.index_reduce(1, tensor<int64_t>({-1, 0}), self, "amin")) == std::vector<float>{1, 1, 3, 3});
  Tensor reduced = self.clone();
  reduced.index_reduce_(0, index, source, "amin");
  CHECK(to_vector<float>(reduced) == std::vector<float>{1, 2, 2, 1});
  CHECK_THROWS_WITH(self.index_reduce(0, index, source, "sum"),
                    "[index_reduce] reduce: expected 'prod', 'mean', 'amax' or 'amin', got 'sum'");
  CHECK_THROWS_WITH(self.index_reduce(0, index, source.narrow(1, 0, 1), "prod"),
                    "[index_reduce] source: expected shape [3, 2] (self's, with index's 3 entries along dim 0), got [3, 1]");
  CHECK_THROWS_WITH(self.index_reduce(0, tensor<int64_t>({1, 0, 2}), source, "prod"),
                    "[index_reduce] index: expected entries in [-2, 2), got 2");
}

TEST_CASE("index and index_put_ follow PyTorch's t[...]") {
  using namespace ember::indexing;
  const Tensor x = arange(24).reshape({2, 3, 4});
  // Basic indices are views.
  const Tensor basic = x.index({1, Slice(1, None), None, Slice(None, None, 2)});
  CHECK(shape_str(basic.sizes()) == "[2, 1, 2]");
  CHECK(to_vector<int64_t>(basic) == std::vector<int64_t>{16, 18, 20, 22});
  CHECK(basic.impl()->storage().get() == x.impl()->storage().get());
  CHECK(to_vector<int64_t>(x.index({Ellipsis, -1})) == std::vector<int64_t>{3, 7, 11, 15, 19, 23});
  CHECK(shape_str(x.index({true}).sizes()) == "[1, 2, 3, 4]");
  CHECK(shape_str(x.index({false, 0}).sizes()) == "[0, 3, 4]");
  // A mask covers as many dimensions as it has.
  CHECK(to_vector<int64_t>(x.index({x > 20})) == std::vector<int64_t>{21, 22, 23});
  CHECK(to_vector<int64_t>(x.index({Slice(), tensor<bool>({true, false, true})})) ==
        std::vector<int64_t>{0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23});
  // Index tensors broadcast; adjacent ones put their shape where they were, separated ones in front.
  const Tensor rows = tensor<int64_t>({1, 0}), columns = tensor<int32_t>({3, -4});
  CHECK(to_vector<int64_t>(x.index({Slice(), tensor<int64_t>({0, 2}), columns})) == std::vector<int64_t>{3, 8, 15, 20});
  const Tensor apart = x.index({rows, Slice(), columns});
  CHECK(shape_str(apart.sizes()) == "[2, 3]");
  CHECK(to_vector<int64_t>(apart) == std::vector<int64_t>{15, 19, 23, 0, 4, 8});
  const Tensor grid = x.index({rows.unsqueeze(1), 2, columns});
  CHECK(shape_str(grid.sizes()) == "[2, 2]");
  CHECK(to_vector<int64_t>(grid) == std::vector<int64_t>{23, 20, 11, 8});
  CHECK(shape_str(x.index({Slice(), tensor<int64_t>({0, 1, 1, 0}, {2, 2})}).sizes()) == "[2, 2, 2, 4]");
  // index_put_ writes through views, broadcasting values and casting them.
  Tensor y = zeros({3, 4});
  y.index_put_({tensor<int64_t>({0, 2}), Slice()}, 7);
  y.index_put_({Slice(), 1}, tensor<int64_t>({1, 2, 3}));
  y.index_put_({tensor<int64_t>({1, 1, 1}), tensor<int64_t>({3, 3, -1})}, ones({3}), /*accumulate=*/true);
  y.index_put_({y == 0}, -1);
  CHECK(to_vector<float>(y) == std::vector<float>{7, 1, 7, 7, -1, 2, -1, 3, 7, 3, 7, 7});
  // A transposed tensor cannot be flattened as a view: written through a copy, same result.
  Tensor t = zeros({3, 2}).transpose(0, 1);
  t.index_put_({Slice(), tensor<int64_t>({2, 0})}, tensor({1.f, 2.f}));
  CHECK(to_vector<float>(t.contiguous()) == std::vector<float>{2, 0, 1, 2, 0, 1});
  // Errors name the operator, the argument and what was expected.
  CHECK_THROWS_WITH(x.index({0, 0, 0, 0}), "[index] indices: too many indices for a tensor of dimension 3 (4 given)");
  CHECK_THROWS_WITH(x.index({5}), "[index] indices: index 5 is out of range for dimension 0 of size 2");
  CHECK_THROWS_WITH(x.index({Slice(), tensor<int64_t>({1, -7})}),
                    "[index] indices: index -7 is out of range for dimension 1 of size 3");
  CHECK_THROWS_WITH(x.index({tensor({1.f})}), "[index] indices: expected index tensors of int64, int32 or bool, got float32");
  CHECK_THROWS_WITH(x.index({ones({2, 2}, DType::Bool)}),
                    "[index] indices: a mask of shape [2, 2] does not match the shape [2, 3] it indexes from dimension 0");
  CHECK_THROWS_WITH(x.index({Slice(None, None, -1)}), "[index] indices: expected a slice step of at least 1, got -1");
  CHECK_THROWS_WITH(x.index({Ellipsis, Ellipsis}), "[index] indices: expected at most one Ellipsis, got 2");
  CHECK_THROWS_WITH(x.index({rows, tensor<int64_t>({0, 1, 2})}),
                    "[index] indices: shapes [2] and [3] do not broadcast (dimension 0: 2 vs 3)");
  CHECK_THROWS_WITH(y.index_put_({tensor<int64_t>({0, 1})}, ones({3})),
                    "[index_put_] values: shapes [2, 4] and [3] do not broadcast (dimension 1: 4 vs 3)");
  CHECK_THROWS_WITH(y.index_put_({0}, ones({2, 4})), "[index_put_] values: shape [2, 4] does not broadcast to the indexed shape [4]");
  CHECK_THROWS_WITH(y.index_put_({0}, Tensor()), "[index_put_] values: expected a defined tensor, got an undefined one");
}

TEST_CASE("random numbers are reproducible and have the right distribution") {
  manual_seed(1234);
  const Tensor u = rand({100000});
  manual_seed(1234);
  CHECK(to_vector<float>(rand({100000})) == to_vector<float>(u));
  CHECK(u.amin().item<float>() >= 0.f);
  CHECK(u.amax().item<float>() < 1.f);
  CHECK(u.mean().item<double>() == doctest::Approx(0.5).epsilon(0.01));
  CHECK(u.var().item<double>() == doctest::Approx(1.0 / 12).epsilon(0.02));
  const Tensor n = randn({100000}, DType::Float64);
  CHECK(std::fabs(n.mean().item<double>()) < 0.02);
  CHECK(n.var().item<double>() == doctest::Approx(1.0).epsilon(0.02));
  const Tensor r = randint(-3, 4, {10000});
  CHECK(r.dtype() == DType::Int64);
  CHECK(r.amin().item<int64_t>() == -3);
  CHECK(r.amax().item<int64_t>() == 3);
  CHECK_FALSE(to_vector<float>(rand({8})) == to_vector<float>(rand({8})));  // the stream advances
  CHECK_THROWS_WITH(empty({2}).random_(5, 5), "[random_.from] to: expected from < to, got from=5 to=5");
  CHECK_THROWS_WITH(empty({2}, DType::Int64).uniform_(), "[uniform_] self: expected a floating-point tensor, got int64");
  CHECK_THROWS_WITH(empty({2}).uniform_(2, 1), "[uniform_] to: expected a finite range with from <= to, got from=2 to=1");
  CHECK_THROWS_WITH(empty({2}).uniform_(-1e308, 1e308),
                    "[uniform_] to: expected a finite range with from <= to, got from=-1e+308 to=1e+308");
  CHECK_THROWS_WITH(empty({2}).normal_(0, -1), "[normal_] std: expected a non-negative value, got -1");
  // Bounds the dtype cannot hold exactly are refused.
  CHECK_THROWS_WITH(empty({2}, DType::Int32).random_(0, int64_t{1} << 40),
                    "[random_.from] from, to: expected values in [-2147483648, 2147483648] for dtype int32, got from=0 to=1099511627776");
  CHECK_THROWS_WITH(empty({2}, DType::Float16).random_(0, 5000), doctest::Contains("expected values in [-2048, 2049] for dtype float16"));
  const Tensor bytes = empty({4000}, DType::UInt8).random_(0, 256);
  CHECK(bytes.amax().item<int64_t>() == 255);
  CHECK(empty({100}, DType::Int64).random_(-(int64_t{1} << 53), int64_t{1} << 53).abs().amax().item<int64_t>() > (int64_t{1} << 50));
}

// Element 2j + h of a fill takes half h of block j, Philox(seed, offset + j): the contract that
// lets a plugin reproduce the CPU's numbers (ember/random_draws.h).
TEST_CASE("random fills follow the SDK's block layout, in logical order whatever the strides") {
  manual_seed(99);
  const RandomDraw state = random_state();
  const Tensor u = empty({7, 143}, DType::Float64).t().uniform_(-1, 3);  // 1001 elements: many tiles, half a block at the end
  const Tensor n = randn({2}, DType::Float64);
  const auto values = to_vector<double>(u.contiguous());
  for (size_t i = 0; i < values.size(); ++i) {
    const sdk::Philox block(state.seed, state.offset + i / 2);
    const double expected = -1 + 4 * sdk::Philox::unit_double(block.out[i % 2 * 2], block.out[i % 2 * 2 + 1]);
    if (values[i] != expected) FAIL_CHECK("element ", i, ": ", values[i], " vs ", expected);
  }
  // Box-Muller: both values of a block share one radius and one angle.
  const sdk::Philox block(state.seed, state.offset + 1001);
  const double radius = std::sqrt(-2 * std::log(1 - sdk::Philox::unit_double(block.out[0], block.out[1])));
  const double angle = 2 * M_PI * sdk::Philox::unit_double(block.out[2], block.out[3]);
  CHECK(n[0].item<double>() == doctest::Approx(radius * std::cos(angle)).epsilon(1e-14));
  CHECK(n[1].item<double>() == doctest::Approx(radius * std::sin(angle)).epsilon(1e-14));
  // Normals in float: the same inputs, through the vector math functions where the processor has
  // them (a few ulp from the double formula). 1001 elements end on a partial group of blocks.
  manual_seed(100);
  const RandomDraw float_state = random_state();
  const auto normals = to_vector<float>(empty({1001}).normal_(1, 2));
  for (size_t i = 0; i < normals.size(); ++i) {
    float u1, float_angle;
    sdk::normal_inputs(sdk::Philox(float_state.seed, float_state.offset + i / 2).out, u1, float_angle);
    const double r = std::sqrt(-2 * std::log(double{u1}));
    const double expected = 1 + 2 * r * (i % 2 ? std::sin(double{float_angle}) : std::cos(double{float_angle}));
    if (!(std::abs(normals[i] - expected) <= 2e-6 * (1 + std::abs(expected)))) FAIL_CHECK("element ", i, ": ", normals[i], " vs ", expected);
  }
}

TEST_CASE("uniform draws stay below `to` in every floating dtype, and normal draws in float have the right moments") {
  manual_seed(5);
  // A bfloat16 in [0.5, 1) is a multiple of 2^-8, so one draw in 2^9 would round up to 1.
  CHECK(rand({100000}, DType::BFloat16).amax().item<float>() == 1 - 0x1p-8f);
  CHECK(rand({100000}, DType::Float16).amax().item<float>() < 1);
  CHECK(empty({100000}, DType::BFloat16).uniform_(2, 3).amax().item<float>() == 3 - 0x1p-6f);
  // An empty range has nothing below `to` to clamp to: every draw is `from`.
  CHECK(to_vector<float>(empty({5}).uniform_(2, 2)) == std::vector<float>(5, 2.f));
  const Tensor n = randn({200000});
  CHECK(std::fabs(n.mean().item<double>()) < 0.01);
  CHECK(n.var().item<double>() == doctest::Approx(1.0).epsilon(0.01));
  CHECK(n.abs().gt(3).to(DType::Float64).mean().item<double>() == doctest::Approx(0.0027).epsilon(0.15));
  const Tensor shifted = empty({100000}, DType::Float16).normal_(10, 0.5).to(DType::Float64);
  CHECK(shifted.mean().item<double>() == doctest::Approx(10).epsilon(0.001));
  CHECK(shifted.std().item<double>() == doctest::Approx(0.5).epsilon(0.02));
}

TEST_CASE("random_ covers the whole int64 range, and wider ranges than a double holds exactly are refused for float64") {
  manual_seed(6);
  const int64_t lowest = std::numeric_limits<int64_t>::min(), highest = std::numeric_limits<int64_t>::max();
  const Tensor wide = empty({1000}, DType::Int64).random_(lowest, highest);
  CHECK(wide.amin().item<int64_t>() < lowest / 2);
  CHECK(wide.amax().item<int64_t>() > highest / 2);
  CHECK(std::get<0>(wide.sort()).diff().gt(0).all().item<bool>());  // 64 random bits: no repeats
  // Odd values prove the low bits survive (a trip through double would round them away).
  CHECK(wide.remainder(2).ne(0).any().item<bool>());
  CHECK_THROWS_WITH(empty({2}, DType::Float64).random_(0, int64_t{1} << 54),
                    "[random_.from] from, to: expected values in [-9007199254740992, 9007199254740992] for dtype float64, "
                    "got from=0 to=18014398509481984");
}

TEST_CASE("square, lerp, addcmul and addcdiv, exact where PyTorch's are") {
  const Tensor a = tensor<float>({1.f, -2.f, 3.f}), b = tensor<float>({5.f, 6.f, -7.f});
  CHECK(to_vector<float>(a.square()) == std::vector<float>{1, 4, 9});
  CHECK(to_vector<float>(a.lerp(b, 0.25)) == std::vector<float>{2, 0, 0.5f});
  // A weight of 1 gives end exactly: the formula switches to end - (end - self)(1 - w) past 0.5.
  const Tensor tiny = tensor<float>({1e-8f}), big = tensor<float>({1e8f});
  CHECK(tiny.lerp(big, 1).item<float>() == 1e8f);
  CHECK(to_vector<float>(a.lerp(b, tensor<float>({0.f, 1.f, 0.5f}))) == std::vector<float>{1, 6, -2});
  CHECK(to_vector<float>(a.addcmul(a, b, 2)) == std::vector<float>{11, -26, -39});
  CHECK(to_vector<float>(addcdiv(a, b, tensor<float>({2.f, 3.f, 7.f}), -1)) == std::vector<float>{-1.5f, -4, 4});
  CHECK(to_vector<int64_t>(tensor<int64_t>({1}).addcmul(tensor<int64_t>({2}), tensor<int64_t>({3}), 4)) ==
        std::vector<int64_t>{25});
  CHECK_THROWS_WITH(tensor<int64_t>({1}).addcmul(tensor<int64_t>({2}), tensor<int64_t>({3}), 0.5),
                    "[addcmul] value: integer tensors take an integer value, got 0.5");
  CHECK_THROWS_WITH(addcdiv(a, tensor<int64_t>({1}), tensor<int64_t>({2})),
                    doctest::Contains("[addcdiv] tensor1, tensor2: integer division is refused"));
  CHECK_THROWS_WITH(tensor<int64_t>({1}).lerp(tensor<int64_t>({2}), 0.5),
                    "[lerp] self: expected a floating-point tensor, got int64");
  CHECK_THROWS_WITH(a.lerp(b.to(DType::Float64), 0.5), "[lerp] end: expected dtype float32 as self's, got float64");
  CHECK_THROWS_WITH(a.lerp(ones({2}), 0.5), doctest::Contains("[lerp] end: shapes [3] and [2] do not broadcast"));
}

TEST_CASE("nan_to_num, isnan, isinf, isfinite and the logical operators") {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor x = tensor<float>({nan, inf, -inf, 1.5f, -0.f});
  CHECK(to_vector<float>(x.nan_to_num()) ==
        std::vector<float>{0, std::numeric_limits<float>::max(), std::numeric_limits<float>::lowest(), 1.5f, 0});
  CHECK(to_vector<float>(x.nan_to_num(1.0, 2.0, -3.0)) == std::vector<float>{1, 2, -3, 1.5f, 0});
  CHECK(to_vector<float>(x.to(DType::Float16).nan_to_num()) == std::vector<float>{0, 65504, -65504, 1.5f, 0});
  CHECK(to_vector<int64_t>(tensor<int64_t>({3}).nan_to_num()) == std::vector<int64_t>{3});
  CHECK_THROWS_WITH(x.to(DType::Float16).nan_to_num(0.0, 1e5),
                    "[nan_to_num] posinf: 100000 cannot be converted to float16 without overflow");
  CHECK(to_vector<bool>(x.isnan()) == std::vector<bool>{true, false, false, false, false});
  CHECK(to_vector<bool>(x.isinf()) == std::vector<bool>{false, true, true, false, false});
  CHECK(to_vector<bool>(x.isfinite()) == std::vector<bool>{false, false, false, true, true});
  const Tensor ints = tensor<int32_t>({0, 7});
  CHECK(to_vector<bool>(ints.isnan()) == std::vector<bool>{false, false});
  CHECK(to_vector<bool>(ints.isinf()) == std::vector<bool>{false, false});
  CHECK(to_vector<bool>(ints.isfinite()) == std::vector<bool>{true, true});
  const Tensor p = tensor<int64_t>({0, 0, 3, -1}), q = tensor<float>({0.f, 2.f, 0.f, nan});
  CHECK(to_vector<bool>(logical_and(p, q)) == std::vector<bool>{false, false, false, true});  // NaN is nonzero
  CHECK(to_vector<bool>(logical_or(p, q)) == std::vector<bool>{false, true, true, true});
  CHECK(to_vector<bool>(logical_xor(p, q)) == std::vector<bool>{false, true, true, false});
  CHECK(to_vector<bool>(logical_not(p)) == std::vector<bool>{true, true, false, false});
  CHECK(logical_and(p.view({4, 1}), q).sizes().equals({4, 4}));  // broadcast
  CHECK(to_vector<bool>(!p || (p && q)) == std::vector<bool>{true, true, false, true});
}

TEST_CASE("comparison operators, pow of a number and the _like factories") {
  const Tensor x = tensor<float>({1.f, 2.f, 3.f});
  CHECK(to_vector<bool>(x == 2) == std::vector<bool>{false, true, false});
  CHECK(to_vector<bool>(x != 2) == std::vector<bool>{true, false, true});
  CHECK(to_vector<bool>(x < 2) == std::vector<bool>{true, false, false});
  CHECK(to_vector<bool>(x <= 2) == std::vector<bool>{true, true, false});
  CHECK(to_vector<bool>(2 < x) == std::vector<bool>{false, false, true});
  CHECK(to_vector<bool>(2.5 >= x) == std::vector<bool>{true, true, false});
  CHECK(to_vector<bool>(x > x.flip({0})) == std::vector<bool>{false, false, true});
  CHECK((x == 2).dtype() == DType::Bool);
  // PyTorch's .Scalar overloads, generated for every binary operator and comparison.
  CHECK(to_vector<float>(x.add(1)) == std::vector<float>{2, 3, 4});
  CHECK(to_vector<float>(x.sub(1, 2)) == std::vector<float>{-1, 0, 1});
  CHECK(to_vector<float>(add(x, 0.5)) == std::vector<float>{1.5f, 2.5f, 3.5f});
  CHECK(to_vector<bool>(x.gt(1)) == std::vector<bool>{false, true, true});
  CHECK(to_vector<bool>(eq(x, 0)) == std::vector<bool>{false, false, false});
  CHECK(to_vector<float>(x.remainder(2)) == std::vector<float>{1, 0, 1});
  CHECK(to_vector<float>(x.pow(2)) == std::vector<float>{1, 4, 9});
  CHECK(x.mul(2.5).dtype() == DType::Float32);  // a number never widens the tensor
  CHECK(tensor<int64_t>({3}).div(2).item<float>() == 1.5f);
  Tensor y = x.clone();
  y.mul_(2).add_(1, 3);
  y += 1;
  y /= 2;
  CHECK(to_vector<float>(y) == std::vector<float>{3, 4, 5});
  CHECK_THROWS_WITH(tensor<int64_t>({3}).add_(0.5), doctest::Contains("can't be cast to the desired output type int64"));
  CHECK(to_vector<float>(pow(x, 2)) == std::vector<float>{1, 4, 9});
  CHECK(pow(x, 2).dtype() == DType::Float32);  // the number does not widen x
  CHECK(to_vector<float>(pow(2, x)) == std::vector<float>{2, 4, 8});
  const Tensor m = ones({2, 3}, DType::Int32).transpose(0, 1);
  CHECK(zeros_like(m).sizes().equals({3, 2}));
  CHECK(zeros_like(m).dtype() == DType::Int32);
  CHECK(zeros_like(m).is_contiguous());
  CHECK(to_vector<int32_t>(ones_like(m)) == std::vector<int32_t>(6, 1));
  CHECK(to_vector<double>(full_like(m, 2.5, DType::Float64)) == std::vector<double>(6, 2.5));
  CHECK(to_vector<int32_t>(full_like(m, 2)) == std::vector<int32_t>(6, 2));
  CHECK(empty_like(m, DType::Float16).dtype() == DType::Float16);
  CHECK(rand_like(x).sizes().equals({3}));
  CHECK(randn_like(x, DType::Float64).dtype() == DType::Float64);
  const auto u = to_vector<float>(rand_like(zeros({1000})));
  CHECK(*std::min_element(u.begin(), u.end()) >= 0.f);
  CHECK(*std::max_element(u.begin(), u.end()) < 1.f);
  CHECK_THROWS_WITH(rand_like(m), doctest::Contains("expected a floating-point"));
}

TEST_CASE("diagonal, squeeze, movedim, flatten, unflatten and roll; trace, dot, outer, linspace and meshgrid") {
  const Tensor m = arange(12, DType::Float32).reshape({3, 4});  // rows 0..3, 4..7, 8..11
  CHECK(to_vector<float>(m.diagonal()) == std::vector<float>{0, 5, 10});
  CHECK(to_vector<float>(m.diagonal(1)) == std::vector<float>{1, 6, 11});
  CHECK(to_vector<float>(m.diagonal(-1)) == std::vector<float>{4, 9});
  CHECK(m.diagonal(4).numel() == 0);
  CHECK(m.diagonal(std::numeric_limits<int64_t>::min()).numel() == 0);
  CHECK(to_vector<float>(m.diagonal(0, 1, 0)) == std::vector<float>{0, 5, 10});
  const Tensor cube = arange(24, DType::Int64).reshape({2, 3, 4});
  CHECK(cube.diagonal(0, 1, 2).sizes().equals({2, 3}));
  CHECK(to_vector<int64_t>(cube.diagonal(0, 1, 2)) == std::vector<int64_t>{0, 5, 10, 12, 17, 22});
  Tensor writable = zeros({3, 3});
  writable.diagonal().fill_(1);  // a view: writes reach the matrix
  CHECK(to_vector<float>(writable) == to_vector<float>(eye(3)));
  CHECK_THROWS_WITH(m.diagonal(0, 1, -1), "[diagonal] dim2: expected a dimension other than dim1 (1), got -1");
  CHECK_THROWS_WITH(arange(3).diagonal(), "[diagonal] self: expected at least 2 dimensions, got 1");
  // Gradient of an off-diagonal view lands on that diagonal only.
  Tensor g = zeros({3, 4}, DType::Float64).requires_grad_();
  g.diagonal(-1).sum().backward();
  CHECK(to_vector<double>(g.grad()) == std::vector<double>{0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0});

  CHECK(ones({1, 3, 1, 2}).squeeze().sizes().equals({3, 2}));
  CHECK(ones({1}).squeeze().dim() == 0);
  const Tensor x = arange(24).reshape({2, 3, 4});
  CHECK(x.movedim({0}, {2}).sizes().equals({3, 4, 2}));
  CHECK(x.movedim({2, 0}, {0, 1}).sizes().equals({4, 2, 3}));
  CHECK(to_vector<int64_t>(x.movedim({0}, {-1}).contiguous()) == to_vector<int64_t>(x.permute({1, 2, 0}).contiguous()));
  CHECK_THROWS_WITH(x.movedim({0, 0}, {1, 2}), "[movedim] source: dimension 0 appears more than once");
  CHECK_THROWS_WITH(x.movedim({0}, {1, 2}), "[movedim] destination: expected as many dimensions as source (1), got 2");
  CHECK(x.flatten().sizes().equals({24}));
  CHECK(x.flatten(1).sizes().equals({2, 12}));
  CHECK(x.flatten(0, 1).sizes().equals({6, 4}));
  CHECK(scalar_tensor(2).flatten().sizes().equals({1}));
  CHECK(x.unflatten(2, {2, -1}).sizes().equals({2, 3, 2, 2}));
  CHECK(to_vector<int64_t>(x.unflatten(-1, {2, 2})) == to_vector<int64_t>(x));
  CHECK_THROWS_WITH(x.unflatten(1, {2, 2}), "[unflatten] sizes: [2, 2] do not split dimension 1 of size 3");
  CHECK_THROWS_WITH(x.unflatten(1, {-1, -1}), "[unflatten] sizes: [-1, -1] do not split dimension 1 of size 3");
  const Tensor r = arange(6).reshape({2, 3});
  CHECK(to_vector<int64_t>(r.roll({1}, {1})) == std::vector<int64_t>{2, 0, 1, 5, 3, 4});
  CHECK(to_vector<int64_t>(r.roll({-1, 1}, {1, 0})) == std::vector<int64_t>{4, 5, 3, 1, 2, 0});
  CHECK(to_vector<int64_t>(r.roll({2})) == std::vector<int64_t>{4, 5, 0, 1, 2, 3});  // flattened
  CHECK(to_vector<int64_t>(r.roll({std::numeric_limits<int64_t>::min()}, {1})) == std::vector<int64_t>{2, 0, 1, 5, 3, 4});  // -2^63 = 1 mod 3
  CHECK_THROWS_WITH(r.roll({1, 2}), "[roll] shifts: expected one shift when no dims are given, got 2");
  // swapaxes and the *_as methods; tile pads its counts on the left; repeat_interleave repeats in place.
  CHECK(cube.swapaxes(0, 2).sizes().equals({4, 3, 2}));
  CHECK(to_vector<int64_t>(swapdims(cube, 1, -1).contiguous()) == to_vector<int64_t>(cube.transpose(1, 2).contiguous()));
  CHECK(arange(6).view_as(r).sizes().equals({2, 3}));
  CHECK(to_vector<int64_t>(arange(3).expand_as(r)) == std::vector<int64_t>{0, 1, 2, 0, 1, 2});
  CHECK(cube.transpose(0, 1).reshape_as(r.unsqueeze(0).expand({4, 2, 3})).sizes().equals({4, 2, 3}));
  CHECK(r.type_as(ones({1}, DType::Float16)).dtype() == DType::Float16);
  CHECK_THROWS_WITH(arange(5).view_as(r), "[view] size: shape [2, 3] is invalid for input of 5 elements");
  CHECK(to_vector<int64_t>(tensor<int64_t>({1, 2}).tile({2})) == std::vector<int64_t>{1, 2, 1, 2});
  CHECK(r.tile({2}).sizes().equals({2, 6}));
  CHECK(r.tile({2, 1, 1}).sizes().equals({2, 2, 3}));
  CHECK(to_vector<int64_t>(r.repeat_interleave(2)) == std::vector<int64_t>{0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5});
  CHECK(to_vector<int64_t>(r.repeat_interleave(2, 0)) == std::vector<int64_t>{0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5});
  CHECK(r.repeat_interleave(0, 1).sizes().equals({2, 0}));
  CHECK(to_vector<int64_t>(scalar_tensor(7).repeat_interleave(3)) == std::vector<int64_t>{7, 7, 7});
  CHECK_THROWS_WITH(r.repeat_interleave(-1), "[repeat_interleave] repeats: expected a non-negative count, got -1");
  CHECK_THROWS_AS(r.repeat_interleave(int64_t{1} << 60), Error);  // no memory holds the index
  // t: a transposed view of a matrix, vectors and scalars as they are.
  Tensor matrix = arange(6).reshape({2, 3});
  CHECK(matrix.t().sizes().equals({3, 2}));
  CHECK(to_vector<int64_t>(matrix.t().contiguous()) == std::vector<int64_t>{0, 3, 1, 4, 2, 5});
  matrix.t()[2][1].fill_(-7);  // a view: the write reaches the matrix
  CHECK(matrix[1][2].item<int64_t>() == -7);
  CHECK(to_vector<int64_t>(t(arange(3))) == std::vector<int64_t>{0, 1, 2});
  CHECK(scalar_tensor(4).t().dim() == 0);
  CHECK_THROWS_WITH(zeros({2, 2, 2}).t(), "[t] self: expected at most 2 dimensions, got [2, 2, 2]");
  // mT, mH and adjoint: each matrix of a batch transposed, as a view.
  Tensor batch = arange(12).reshape({2, 2, 3});
  CHECK(batch.mT().sizes().equals({2, 3, 2}));
  CHECK(to_vector<int64_t>(batch.mT().contiguous()) == std::vector<int64_t>{0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11});
  batch.mH()[1][2][0].fill_(-5);
  CHECK(batch[1][0][2].item<int64_t>() == -5);
  CHECK(equal(adjoint(batch), batch.mT()));
  CHECK_THROWS_WITH(arange(3).mT(), "[mT] self: expected a matrix or a batch of them (2 or more dimensions), got shape [3]");
  CHECK_THROWS_WITH(adjoint(scalar_tensor(1)), "[adjoint] self: expected a matrix or a batch of them (2 or more dimensions), got shape []");
  // diff: neighbours subtracted n times along dim, with prepend and append joined first.
  const Tensor squares = tensor<int64_t>({1, 4, 9, 16, 25});
  CHECK(to_vector<int64_t>(squares.diff()) == std::vector<int64_t>{3, 5, 7, 9});
  CHECK(to_vector<int64_t>(squares.diff(2)) == std::vector<int64_t>{2, 2, 2});
  CHECK(squares.diff(7).sizes().equals({0}));  // past the length: empty
  CHECK(to_vector<int64_t>(squares.diff(0)) == to_vector<int64_t>(squares));
  CHECK(to_vector<int64_t>(diff(squares, 1, 0, tensor<int64_t>({0}), tensor<int64_t>({36}))) ==
        std::vector<int64_t>{1, 3, 5, 7, 9, 11});
  CHECK(to_vector<double>(r.to(DType::Float64).diff(1, 0)) == std::vector<double>{3, 3, 3});
  CHECK(to_vector<bool>(tensor<bool>({true, true, false}).diff()) == std::vector<bool>{false, true});  // xor
  CHECK_THROWS_WITH(scalar_tensor(1).diff(), "[diff] self: expected at least one dimension, got a 0-dim tensor");
  CHECK_THROWS_WITH(squares.diff(-1), "[diff] n: expected a non-negative order, got -1");
  CHECK_THROWS_WITH(squares.diff(1, 0, zeros({1, 1})), "[diff] prepend: expected 1 dimensions like self, got [1, 1]");
  CHECK_THROWS_WITH(squares.diff(1, 1), "[diff] dim: expected a value in [-1, 0], got 1");

  CHECK(m[1][2].item<float>() == 6);
  CHECK(to_vector<float>(m[-1]) == std::vector<float>{8, 9, 10, 11});
  m[0].fill_(-1);  // a view, as in PyTorch
  CHECK(m.select(0, 0).sum().item<float>() == -4);
  CHECK_THROWS_WITH(m[3], "[select] index: 3 is out of range for dimension 0 of size 3");
  CHECK_THROWS_WITH(scalar_tensor(1)[0], "[select] self: cannot select from a 0-dim tensor");
  m[0].copy_(arange(4, DType::Float32));
  CHECK(m.narrow(1, 0, 3).trace().item<float>() == 15);
  CHECK(tensor<int64_t>({1, 2, 3}).dot(tensor<int64_t>({4, 5, 6})).item<int64_t>() == 32);
  CHECK(to_vector<float>(outer(tensor<float>({1, 2}), tensor<float>({3, 4, 5}))) == std::vector<float>{3, 4, 5, 6, 8, 10});
  CHECK_THROWS_WITH(arange(3).trace(), "[trace] self: expected a matrix, got a 1-D tensor");
  CHECK_THROWS_WITH(tensor<float>({1}).dot(tensor<double>({1})), "[dot] tensor: expected dtype float32 as self, got float64");

  CHECK(to_vector<float>(linspace(0, 1, 5)) == std::vector<float>{0, 0.25f, 0.5f, 0.75f, 1});
  const auto thirds = to_vector<double>(linspace(-1, 0.3, 7, DType::Float64));
  CHECK(thirds.front() == -1);
  CHECK(thirds.back() == 0.3);  // both ends exact
  CHECK(to_vector<int64_t>(linspace(0, 10, 4, DType::Int64)) == std::vector<int64_t>{0, 3, 6, 10});
  CHECK(linspace(2, 5, 1).item<float>() == 2);
  CHECK(linspace(2, 5, 0).numel() == 0);
  CHECK_THROWS_WITH(linspace(0, 1, -1), "[linspace] steps: expected a count >= 0, got -1");

  const auto ij = meshgrid({tensor<int64_t>({1, 2}), tensor<int64_t>({3, 4, 5})});
  CHECK(ij[0].sizes().equals({2, 3}));
  CHECK(to_vector<int64_t>(ij[0]) == std::vector<int64_t>{1, 1, 1, 2, 2, 2});
  CHECK(to_vector<int64_t>(ij[1]) == std::vector<int64_t>{3, 4, 5, 3, 4, 5});
  const auto xy = meshgrid({tensor<int64_t>({1, 2}), tensor<int64_t>({3, 4, 5})}, "xy");
  CHECK(xy[0].sizes().equals({3, 2}));
  CHECK(to_vector<int64_t>(xy[0]) == std::vector<int64_t>{1, 2, 1, 2, 1, 2});
  CHECK_THROWS_WITH(meshgrid({m}), "[meshgrid] tensors: expected 0-dim or 1-D tensors, got [3, 4] at 0");
  CHECK_THROWS_WITH(meshgrid({x}, "yx"), "[meshgrid] indexing: expected 'ij' or 'xy', got 'yx'");
}

TEST_CASE("gather, scatter_add and scatter_reduce read broadcast and transposed indices as dense ones") {
  // Each output row picks columns [2, 0] of its own row of x: a broadcast index.
  const Tensor x = arange(12).reshape({3, 4}).to(DType::Float32);
  const Tensor columns = tensor<int64_t>({2, 0}, {1, 2}).expand({3, 2});
  CHECK(to_vector<float>(x.gather(1, columns)) == std::vector<float>{2, 0, 6, 4, 10, 8});
  CHECK(to_vector<float>(x.gather(1, columns.contiguous())) == to_vector<float>(x.gather(1, columns)));
  const Tensor transposed = tensor<int64_t>({3, 1, 0, 2, 1, 3}, {2, 3}).t();  // [[3, 2], [1, 1], [0, 3]]
  CHECK(to_vector<float>(x.gather(1, transposed)) == std::vector<float>{3, 2, 5, 5, 8, 11});
  CHECK_THROWS_WITH(x.gather(1, tensor<int64_t>({4}, {1, 1}).expand({3, 1})),
                    "[gather] cpu plugin kernel failed (status 1): index 4 is out of range for dimension 1 of size 4");

  const Tensor summed = scatter_add(zeros({3, 4}), 1, columns, ones({3, 2}));
  CHECK(to_vector<float>(summed) == std::vector<float>{1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0});
  const Tensor largest = zeros({3, 4}).scatter_reduce(1, transposed, tensor({5.f, 6.f, 7.f, 8.f, 9.f, 1.f}, {3, 2}), "amax");
  CHECK(to_vector<float>(largest) == std::vector<float>{0, 0, 6, 5, 0, 8, 0, 0, 9, 0, 0, 1});
}

TEST_CASE("view(dtype) reads the same bytes as another dtype; signbit reads the sign bit") {
  // 1.0f is 0x3f800000; -0.0f is 0x80000000.
  const Tensor f = tensor<float>({1.0f, -0.0f, 2.0f, -1.5f}, {2, 2});
  const Tensor bits = f.view(DType::Int32);
  CHECK(bits.sizes().equals({2, 2}));
  CHECK(to_vector<int32_t>(bits)[0] == 0x3f800000);
  CHECK(to_vector<int32_t>(bits)[1] == std::numeric_limits<int32_t>::min());
  // It is a view: writing through it changes the floats.
  bits.select(0, 0).select(0, 0).fill_(0x40400000);  // 3.0f
  CHECK(f.select(0, 0).select(0, 0).item<float>() == 3.0f);
  // Narrower: each float's 4 bytes (little-endian) along the last dimension.
  const Tensor bytes = f.view(DType::UInt8);
  CHECK(bytes.sizes().equals({2, 8}));
  CHECK(to_vector<uint8_t>(bytes.select(0, 0).narrow(0, 0, 4)) == std::vector<uint8_t>{0, 0, 0x40, 0x40});
  // Wider: 8 bytes back into two floats, and the float64 bits of 1.0.
  check_close(reference::values(bytes.view(DType::Float32)), reference::values(f), 0);
  CHECK(to_vector<int64_t>(tensor<double>({1.0}).view(DType::Int64)) == std::vector<int64_t>{0x3ff0000000000000});
  CHECK_THROWS_WITH(f.t().view(DType::UInt8), "[view] dtype: the last dimension must be contiguous (stride 1) to view "
                                              "float32 as uint8, got stride 2");
  CHECK_THROWS_WITH(bytes.narrow(1, 0, 6).view(DType::Float64),
                    "[view] dtype: the last dimension's size 6 must be a multiple of 8 to view uint8 as float64");
  CHECK_THROWS_WITH(bytes.narrow(1, 1, 4).view(DType::Int32),
                    "[view] dtype: the storage offset 1 must be a multiple of 4 to view uint8 as int32");
  CHECK_THROWS_WITH(scalar_tensor(1.0f).view(DType::Float64),
                    "[view] dtype: a 0-dim tensor can only be viewed as a dtype of its width (4 bytes), got float64 (8 bytes)");
  CHECK_THROWS_WITH(bytes.view(DType::Bool), "[view] dtype: only bool tensors can be viewed as bool (other bytes are not "
                                             "bools), got uint8");
  CHECK(scalar_tensor(1.0f).view(DType::Int32).item<int64_t>() == 0x3f800000);
  // Not differentiable: the integer view carries no gradient.
  const Tensor leaf = ones({2}).requires_grad_();
  CHECK_FALSE(leaf.view(DType::Int32).requires_grad());

  const Tensor signs = tensor<double>({-0.0, 0.0, -1.0, 2.0, -NAN, NAN, -INFINITY});
  CHECK(to_vector<bool>(signbit(signs)) == std::vector<bool>{true, false, true, false, true, false, true});
  CHECK(to_vector<bool>(signs.to(DType::Float16).signbit()) == std::vector<bool>{true, false, true, false, true, false, true});
  // A column read through its strides: copied to contiguous bits first.
  const Tensor column = signs.to(DType::Float32).reshape({1, 7}).t();
  CHECK(to_vector<bool>(signbit(column)) == std::vector<bool>{true, false, true, false, true, false, true});
  CHECK(to_vector<bool>(signbit(tensor<int64_t>({-3, 0, 4}))) == std::vector<bool>{true, false, false});
  CHECK(to_vector<bool>(signbit(tensor<bool>({true, false}))) == std::vector<bool>{false, false});
}
