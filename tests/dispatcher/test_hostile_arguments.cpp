// Every operator, called by name with the arguments a careless or hostile caller might pass:
// negative and enormous sizes, NaN and infinite floats, empty, 0-dim and 8-D tensors, the wrong
// dtype, a value of the wrong type, an unknown string. Each call must either return or throw an
// ember::Error that names the operator; no other exception, no internal assertion, no crash, no
// hang. Run under ASan/UBSan (-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined) it also shows
// reads and writes out of bounds.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "ember/call_by_name.h"
#include "ember/ember.h"

using namespace ember;
using schema::BaseType;

namespace {

constexpr int kTrialsPerOperator = 128;
// Trials cycle through these chances that an argument is hostile: the low ones reach the
// kernels, the high ones the argument checks.
constexpr double kHostility[] = {0.05, 0.2, 0.4, 1.0};
constexpr int64_t kHuge = int64_t{1} << 48;  // as a size, past the 128 TiB address space whatever the dtype

// Values of every schema type: plain ones that many operators accept, so that calls get past
// the first check, and hostile ones. IValues borrow lists (Note [IValue borrows lists]), so the
// pool owns them.
template <typename T>
struct Choices {
  std::vector<T> plain, hostile;
};

struct Pool {
  Choices<Tensor> tensors;
  Choices<int64_t> ints{{0, 1, -1, 2},
                        {-3, 5, kHuge, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}};
  Choices<std::vector<int64_t>> int_lists{
      {{2, 3}, {1}, {}, {0, 1}, {1, 1}, {1, 3, 4, 4}},
      {{0}, {-1}, {3, -1}, {kHuge, kHuge}, {std::numeric_limits<int64_t>::max()}, {-2, 1}, std::vector<int64_t>(18, 1)}};
  Choices<double> floats{{0.5, 1.0, 0.0, 2.0}, {-1.0, std::nan(""), INFINITY, -INFINITY, 1e300, 1e-300}};
  Choices<Scalar> scalars{{Scalar(int64_t{1}), Scalar(0.5), Scalar(2.0)},
                          {Scalar(0.0), Scalar(-2.5), Scalar(std::nan("")), Scalar(INFINITY),
                           Scalar(std::numeric_limits<int64_t>::max()), Scalar(true)}};
  Choices<DType> dtypes{{DType::Float32, DType::Float64, DType::Int64},
                        {DType::Float16, DType::BFloat16, DType::Int32, DType::Int8, DType::UInt8, DType::Bool,
                         DType::QInt8}};
  Choices<std::string> strings{{"mean", "sum", "none"}, {"", "bogus", "reflect", "tanh"}};
  Choices<std::vector<Tensor>> tensor_lists;

  Pool() {
    const Tensor matrix = rand({2, 3});
    const Tensor indices = tensor<int64_t>({0, 1});
    const Tensor bytes = full({2, 3}, 7, DType::UInt8);
    tensors.plain = {matrix,  rand({3}), full({}, 1.5), rand({1, 3, 4, 4}), indices, rand({2, 3, 3}),
                     quantize_per_tensor(matrix, 0.1, 3, DType::QUInt8), bytes, bytes.to(DType::Int8),
                     rand({2, 3}).requires_grad_(), rand({1, 3, 4, 4}).requires_grad_()};
    tensors.hostile = {empty({0}),
                       empty({2, 0}),
                       tensor<int64_t>({-1, 5, 2}),
                       full({2}, true),
                       rand({2, 3}).to(DType::Float16),
                       rand({2, 3}).to(DType::BFloat16),
                       rand({3, 2}).transpose(0, 1),
                       rand({1, 1, 1, 1, 1, 1, 1, 2}),
                       rand({4}, DType::Float64),
                       full({2, 2}, 3, DType::Int32)};
    tensor_lists.plain = {{matrix, matrix}, {matrix}};
    tensor_lists.hostile = {{}, {matrix, indices}, {full({}, 1.5)}, {matrix, rand({2, 3}, DType::Float64)}};
  }
};

// One value for an argument of `type`: hostile with probability `hostility`, and then now and
// again (1 in 8) a value of another type, which the argument check must refuse.
IValue pick(const Pool& pool, const schema::Type& type, double hostility, std::mt19937& rng) {
  const bool hostile = std::uniform_real_distribution<double>(0, 1)(rng) < hostility;
  auto one_of = [&](const auto& choices) -> const auto& {
    const auto& values = hostile ? choices.hostile : choices.plain;
    return values[rng() % values.size()];
  };
  if (type.is_optional && rng() % 4 == 0) return IValue();
  BaseType base = type.base;
  bool is_list = type.is_list;
  if (hostile && rng() % 8 == 0) {
    base = static_cast<BaseType>(rng() % (static_cast<int>(BaseType::Str) + 1));
    is_list = base == BaseType::Int && rng() % 2;
  }
  if (is_list && base == BaseType::Tensor) {
    const std::vector<Tensor>& list = one_of(pool.tensor_lists);
    return IValue(TensorList(list.data(), list.size()));
  }
  if (is_list) return IValue(IntArrayRef(one_of(pool.int_lists)));
  switch (base) {
    case BaseType::Tensor: return IValue(one_of(pool.tensors));
    case BaseType::Int: return IValue(one_of(pool.ints));
    case BaseType::Float: return IValue(one_of(pool.floats));
    case BaseType::Bool: return IValue(rng() % 2 == 0);
    case BaseType::Scalar: return IValue(one_of(pool.scalars));
    case BaseType::ScalarType: return IValue(one_of(pool.dtypes));
    case BaseType::Device: return IValue(hostile ? Device(default_device().slot(), 5) : default_device());
    case BaseType::Str: return IValue(std::string_view(one_of(pool.strings)));
  }
  return IValue();
}

struct Outcome {
  bool returned = false;  // the operator ran to the end
  std::string problem;    // what went wrong, if anything did
};

Outcome run_once(const OperatorHandle& op, const Pool& pool, double hostility, std::mt19937& rng) {
  const schema::FunctionSchema& s = op.schema();
  std::vector<IValue> positional;
  std::vector<ops::NamedArgument> named;
  bool by_name = false;  // once one is left out, the rest go by name
  for (const schema::Argument& arg : s.arguments) {
    if (arg.default_value && rng() % 3 == 0) {
      by_name = true;
      continue;
    }
    if (arg.kwarg_only || by_name) {
      named.emplace_back(arg.name, pick(pool, arg.type, hostility, rng));
    } else {
      positional.push_back(pick(pool, arg.type, hostility, rng));
    }
  }
  try {
    const std::vector<IValue> results = ops::call_boxed(
        op.name(), ArrayRef<IValue>(positional.data(), positional.size()),
        ArrayRef<ops::NamedArgument>(named.data(), named.size()));
    // A result with a history runs its backward formula on the same arguments.
    if (!results.empty() && results[0].is_tensor() && results[0].tensor_ref().requires_grad()) {
      results[0].tensor_ref().sum().backward();
    }
  } catch (const Error& e) {
    const std::string message = e.what();
    if (message.find("[internal]") != std::string::npos) return {false, message};
    return {};
  } catch (const std::exception& e) {
    return {false, std::string("an exception other than ember::Error: ") + e.what()};
  }
  return {true, ""};
}

}  // namespace

TEST_CASE("every operator refuses hostile arguments with an ember::Error and nothing worse") {
  const Pool pool;
  const Dispatcher& dispatcher = Dispatcher::singleton();
  int calls = 0, returned = 0;
  for (size_t id = 0; id < dispatcher.num_operators(); ++id) {
    const OperatorHandle& op = dispatcher.op(static_cast<int>(id));
    std::mt19937 rng(static_cast<uint32_t>(id) * 7919u + 17u);  // each operator its own fixed sequence
    for (int trial = 0; trial < kTrialsPerOperator; ++trial, ++calls) {
      const double hostility = kHostility[trial % std::size(kHostility)];
      const Outcome outcome = run_once(op, pool, hostility, rng);
      returned += outcome.returned;
      INFO(op.name(), ", trial ", trial);
      CHECK_MESSAGE(outcome.problem.empty(), outcome.problem);
    }
  }
  CHECK(calls > 5000);
  CHECK(returned > calls / 10);  // enough calls get past the checks to reach the kernels
}
