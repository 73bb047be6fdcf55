// Tensors, views and printing: geometry without kernels, checked element by element.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "ember/ember.h"
#include "ember/half.h"

using namespace ember;

TEST_CASE("a tensor knows its shape, strides, dtype and device") {
  const Tensor t = zeros({2, 3, 4});
  CHECK(t.dim() == 3);
  CHECK(t.numel() == 24);
  CHECK(t.strides().equals({12, 4, 1}));
  CHECK(t.size(-1) == 4);
  CHECK(t.dtype() == DType::Float32);
  CHECK(t.device().str() == "cpu");
  CHECK(t.is_contiguous());
  CHECK_THROWS_WITH(t.size(3), "[size] dim: expected a value in [-3, 2], got 3");
  // A 0-dim tensor has no size to read (dim 0 used to read past its empty size list).
  CHECK_THROWS_WITH(scalar_tensor(1.0).size(0), "[size] dim: a 0-dim tensor has no dimensions, got 0");
  CHECK_THROWS_WITH(scalar_tensor(1.0).stride(-1), "[stride] dim: a 0-dim tensor has no dimensions, got -1");
  const Tensor undefined;
  CHECK_THROWS_WITH(undefined.dim(),
                    "[dim] tensor: expected a defined tensor, got an undefined (default-constructed) one");
  CHECK_THROWS_WITH(undefined.sizes(),
                    "[sizes] tensor: expected a defined tensor, got an undefined (default-constructed) one");
  CHECK(itemsize(DType::BFloat16) == 2);
  CHECK(parse_dtype("int8") == DType::Int8);
  CHECK_THROWS_WITH(parse_dtype("float8"), doctest::Contains("unknown dtype 'float8'"));
}

TEST_CASE("views share storage and see each other's writes") {
  const Tensor base = arange(24).reshape({2, 3, 4});
  const Tensor v = base.view({6, 4});
  CHECK(v.impl()->storage() == base.impl()->storage());
  CHECK(base.view({-1}).sizes().equals({24}));
  CHECK(base.permute({2, 0, 1}).sizes().equals({4, 2, 3}));
  CHECK(base.permute({2, 0, 1}).strides().equals({1, 12, 4}));
  CHECK(base.transpose(0, 2).strides().equals({1, 4, 12}));
  const Tensor s = base.slice(2, 1, std::nullopt, 2);
  CHECK(s.sizes().equals({2, 3, 2}));
  CHECK(to_vector<int64_t>(s.select(0, 1).select(0, 2)) == std::vector<int64_t>{21, 23});
  CHECK(base.slice(0, -1).sizes().equals({1, 3, 4}));
  CHECK(base.slice(1, 5, 9).numel() == 0);
  // A step past the end keeps one element and its stride (the size and stride used to overflow).
  const Tensor far = base.slice(2, 1, std::nullopt, std::numeric_limits<int64_t>::max());
  CHECK(far.sizes().equals({2, 3, 1}));
  CHECK(far.strides().equals({12, 4, 1}));
  CHECK(to_vector<int64_t>(far.reshape({6})) == std::vector<int64_t>{1, 5, 9, 13, 17, 21});
  CHECK(base.select(1, -1).sizes().equals({2, 4}));
  CHECK(base.select(1, -1).storage_offset() == 8);
  CHECK(base.unsqueeze(0).sizes().equals({1, 2, 3, 4}));
  CHECK(base.unsqueeze(-1).strides().equals({12, 4, 1, 1}));
  CHECK(base.unsqueeze(0).squeeze(0).sizes().equals({2, 3, 4}));
  CHECK(base.squeeze(1).sizes().equals({2, 3, 4}));  // size 3: nothing to squeeze
  const Tensor e = tensor({1.f, 2.f}).unsqueeze(1).expand({2, 3});
  CHECK(e.strides().equals({1, 0}));
  CHECK(to_vector<float>(e) == std::vector<float>{1.f, 1.f, 1.f, 2.f, 2.f, 2.f});
  v.select(0, 0).fill_(-1);
  CHECK(to_vector<int64_t>(base.select(0, 0).select(0, 0)) == std::vector<int64_t>{-1, -1, -1, -1});
}

TEST_CASE("view refuses incompatible strides; reshape copies instead") {
  const Tensor t = arange(6).reshape({2, 3}).transpose(0, 1);
  CHECK_THROWS_WITH(t.view({6}), doctest::Contains("[view] size: shape [6] is not compatible with the input's size [3, 2] and stride [1, 3]"));
  CHECK(to_vector<int64_t>(t.reshape({6})) == std::vector<int64_t>{0, 3, 1, 4, 2, 5});
  CHECK(t.contiguous().is_contiguous());
  CHECK_THROWS_WITH(arange(6).view({4, -1}), "[view] size: shape [4, -1] is invalid for 6 elements");
  CHECK_THROWS_WITH(arange(6).view({-1, -1}), "[view] size: only one dimension can be -1, got [-1, -1]");
  const int64_t huge = int64_t{1} << 48;
  CHECK_THROWS_WITH(arange(6).view({huge, huge, -1}),
                    "[view] size: shape [281474976710656, 281474976710656, -1] has more elements than int64 counts");
  CHECK_THROWS_WITH(arange(6).permute({0, 0}), "[permute] dims: expected 1 dimensions, got 2");
  CHECK_THROWS_WITH(ones({2, 1}).expand({3, 3}),
                    "[expand] size: the expanded size 3 must match the existing size 2 at dimension 0");
  CHECK_THROWS_WITH(ones({2}).select(0, 2), "[select] index: 2 is out of range for dimension 0 of size 2");
}

TEST_CASE("a tensor without elements views as any shape without elements") {
  const Tensor t = empty({0, 3});
  CHECK(t.view({0, 3}).strides().equals({3, 1}));  // its own shape keeps its strides
  CHECK(t.view({3, 0}).strides().equals({1, 1}));
  CHECK(t.view({-1, 5}).sizes().equals({0, 5}));
  CHECK(empty({2, 0, 3}).transpose(0, 2).view({0}).sizes().equals({0}));
  CHECK(t.reshape({0}).sizes().equals({0}));
  CHECK_THROWS_WITH(t.view({-1, 0}), "[view] size: shape [-1, 0] is invalid for 0 elements");
  CHECK_THROWS_WITH(t.view({1}), "[view] size: shape [1] is invalid for input of 0 elements");
  // Its other sizes may be huge: their product is never formed, and its strides saturate.
  const int64_t huge = int64_t{1} << 40;
  const Tensor wide = empty({0, huge, huge, 4});
  CHECK(wide.numel() == 0);
  CHECK(wide.is_contiguous());
  CHECK(wide.strides().equals({std::numeric_limits<int64_t>::max(), huge * 4, 4, 1}));
  CHECK(empty({huge, huge, 0}).numel() == 0);
  CHECK(t.view({0, huge, huge, 4}).numel() == 0);
  CHECK(empty({2, 0}).transpose(0, 1).is_contiguous());  // no elements, so no layout to break
  CHECK_THROWS_WITH(ones({1, 1}).expand({huge << 8, huge << 8}), "[expand] size: the number of elements overflows int64");
  CHECK_THROWS_WITH(ones({1}).expand({-5}), "[expand] size: expected non-negative sizes, got -5");
}

TEST_CASE("printing follows PyTorch's layout") {
  // One format for all elements, right-aligned to the widest (Note [Printing like PyTorch]).
  CHECK(tensor({1.f, 2.5f}).str() == "tensor([1.0000, 2.5000])");
  CHECK(tensor({1.f, -20.f}).str() == "tensor([  1., -20.])");
  CHECK(arange(4).reshape({2, 2}).str() == "tensor([[0, 1],\n        [2, 3]])");
  CHECK(tensor<int64_t>({7, -10, 100}).str() == "tensor([  7, -10, 100])");
  CHECK(tensor<bool>({true, false}).str() == "tensor([ True, False])");
  CHECK(tensor<float>({NAN, INFINITY, -INFINITY, 1e-30f, 1e30f}).str() ==
        "tensor([       nan,        inf,       -inf, 1.0000e-30, 1.0000e+30])");
  CHECK(tensor<double>({0.5, 2e-5}).str() == "tensor([5.0000e-01, 2.0000e-05], dtype=float64)");
  CHECK(tensor({NAN, 3.f}).str() == "tensor([nan, 3.])");
  CHECK(empty({0, 3}).str() == "tensor([], size=(0, 3))");
  CHECK(empty({0}).str() == "tensor([])");
  // Rows wrap at 80 columns: 18 two-digit elements after "tensor([".
  CHECK(arange(30).str() ==
        "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n"
        "        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])");
  CHECK(scalar_tensor(2.0, DType::Float64).str() == "tensor(2., dtype=float64)");
  CHECK(zeros({2, 1, 2}).str() == "tensor([[[0., 0.]],\n\n        [[0., 0.]]])");
  CHECK(arange(2000).str() == "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])");
  CHECK(arange(2000).reshape({1000, 2}).str() ==
        "tensor([[   0,    1],\n        [   2,    3],\n        [   4,    5],\n        ...,\n"
        "        [1994, 1995],\n        [1996, 1997],\n        [1998, 1999]])");
  CHECK(Tensor().str() == "tensor(undefined)");
}

TEST_CASE("item and data_ptr check what they are asked") {
  CHECK(scalar_tensor(2.5).item<double>() == 2.5);
  CHECK_THROWS_WITH(ones({2}).item(), "[item] tensor: expected one element, got 2");
  const Tensor t = ones({2});
  CHECK(t.data_ptr<float>()[1] == 1.f);
  CHECK_THROWS_WITH(t.data_ptr<int64_t>(), "[data_ptr] T: expected the tensor's dtype float32, got int64");
  CHECK_THROWS_WITH(tensor({1.f, 2.f}, {3}), "[tensor] values: expected 3 values for shape [3], got 2");
}

TEST_CASE("16-bit float conversions round to nearest even") {
  using namespace ember::half;
  CHECK(float_to_fp16(1.0f) == 0x3c00);
  CHECK(float_to_fp16(65504.f) == 0x7bff);
  CHECK(float_to_fp16(65520.f) == 0x7c00);           // rounds up to infinity
  CHECK(float_to_fp16(5.9604645e-08f) == 0x0001);    // smallest subnormal
  CHECK(float_to_fp16(1.0f + 1.0f / 2048) == 0x3c00);  // a tie rounds to even
  CHECK(fp16_to_float(0xc000) == -2.f);
  CHECK(std::isnan(fp16_to_float(float_to_fp16(NAN))));
  CHECK(float_to_bf16(1.0f) == 0x3f80);
  CHECK(float_to_bf16(1.0f + 1.0f / 256) == 0x3f80);  // tie to even
  CHECK(bf16_to_float(0xc0a0) == -5.f);
  for (uint32_t h = 0; h < 0x7c00; h += 7) CHECK(float_to_fp16(fp16_to_float(static_cast<uint16_t>(h))) == h);
}

TEST_CASE("a device can be named before any operator has run") {
  // The first thing this process does with Ember (doctest runs cases in file order, and this
  // file's first cases create tensors; so check the property through a fresh name lookup).
  CHECK(Device("cpu").str() == "cpu");
  CHECK(Device("cpu:0") == Device("cpu"));
}

TEST_CASE("accessor reads and writes elements through the tensor's strides") {
  Tensor x = arange(6).reshape({2, 3}).to(DType::Float32);
  const auto a = x.accessor<float, 2>();
  CHECK(a.size(0) == 2);
  CHECK(a.size(1) == 3);
  CHECK(a[1][2] == 5.f);
  a[0][1] = 10.f;
  CHECK(to_vector<float>(x) == std::vector<float>{0, 10, 2, 3, 4, 5});
  // A transposed view walks its own strides.
  const auto t = x.t().accessor<const float, 2>();
  CHECK(t.sizes().equals({3, 2}));
  CHECK(t[1][0] == 10.f);
  CHECK(t[2][1] == 5.f);
  const auto row = x.narrow(1, 1, 2).accessor<float, 2>()[1];
  CHECK(row[0] == 4.f);
  CHECK_THROWS_WITH((x.accessor<float, 3>()), "[accessor] tensor: expected 3 dimensions, got 2");
  CHECK_THROWS_WITH((x.accessor<double, 2>()), "[accessor] T: expected the tensor's dtype float32, got float64");
}
