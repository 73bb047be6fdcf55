// The dispatcher, tested the way PyTorch tests its own: routing by key, redispatch, thread-local
// guards, fallthrough, boxed fallbacks, exact error text, and registration in every order.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "ember/ember.h"

using namespace ember;
using schema::OpRecord;

namespace {

using UnarySig = Tensor(const Tensor&);
using FactorySig = Tensor(IntArrayRef, std::optional<Device>);

const OpRecord kRecords[] = {
    {"test_unary(Tensor self) -> Tensor", "", "", false, &typeid(UnarySig)},
    {"test_factory(int[] size, *, Device? device=None) -> Tensor", "", "", true, &typeid(FactorySig)},
};

std::vector<std::string>& route() {
  static std::vector<std::string> calls;
  return calls;
}

constexpr int kTestLow = static_cast<int>(DispatchKey::TestLow);
constexpr int kTestHigh = static_cast<int>(DispatchKey::TestHigh);

Tensor backend_kernel(void*, const OperatorHandle&, DispatchKeySet, const Tensor& t) {
  route().push_back("backend");
  return t;
}
Tensor composite_kernel(void*, const OperatorHandle&, DispatchKeySet, const Tensor& t) {
  route().push_back("composite");
  return t;
}
// A layer kernel: records itself, then runs the keys below it.
template <int Index>
Tensor layer_kernel(void*, const OperatorHandle& op, DispatchKeySet keys, const Tensor& t) {
  route().push_back(dispatch_key_name(Index));
  return op.redispatch<Tensor, const Tensor&>(keys.below(Index), t);
}
void boxed_layer(const KernelFunction&, const OperatorHandle& op, DispatchKeySet keys, Stack& stack) {
  route().push_back("boxed " + op.name());
  op.redispatch_boxed(keys.below(kTestLow), stack);
}
// A boxed kernel that keeps its argument past the call and leaves it on the stack as the return.
IValue& kept_argument() {
  static IValue value;
  return value;
}
void keeping_kernel(const KernelFunction&, const OperatorHandle&, DispatchKeySet, Stack& stack) {
  kept_argument() = stack[0];
}
Tensor factory_backend(void*, const OperatorHandle&, DispatchKeySet keys, IntArrayRef size, std::optional<Device>) {
  route().push_back("factory on " + to_string(keys));
  return empty_on(size, DType::Float32, default_device());
}
Tensor factory_backend_select(void*, const OperatorHandle& op, DispatchKeySet keys, IntArrayRef size,
                              std::optional<Device> device) {
  return op.redispatch<Tensor, IntArrayRef, std::optional<Device>>(
      keys.below(static_cast<int>(DispatchKey::BackendSelect)) | detail::backend_keys(device), size, device);
}

struct Fixture {
  Fixture() : dispatcher(ArrayRef<OpRecord>(kRecords, std::size(kRecords))), unary(dispatcher.op(0)), factory(dispatcher.op(1)) {
    route().clear();
    cpu = default_device().slot();
    t = zeros({2});
  }
  Tensor call(const Tensor& x) { return unary.call<Tensor, const Tensor&>(x); }
  RegistrationHandle impl_backend() {
    return dispatcher.impl(unary, cpu, KernelFunction::from_unboxed<Tensor, const Tensor&>(&backend_kernel), "test backend");
  }
  template <int Index>
  RegistrationHandle impl_layer() {
    return dispatcher.impl(unary, static_cast<DispatchKey>(Index),
                           KernelFunction::from_unboxed<Tensor, const Tensor&>(&layer_kernel<Index>), "test layer");
  }
  Dispatcher dispatcher;
  const OperatorHandle& unary;
  const OperatorHandle& factory;
  BackendSlot cpu = 0;
  Tensor t;
};

Tensor with_keys(const Tensor& t, DispatchKeySet keys) {
  Tensor view = t.view({-1});
  view.impl()->add_keys(keys);
  return view;
}

}  // namespace

TEST_CASE("a key set orders functionality keys above backends and prints by name") {
  init();
  const BackendSlot cpu = default_device().slot();
  const DispatchKeySet set = DispatchKeySet(DispatchKey::Autograd) | DispatchKeySet::backend(cpu);
  CHECK(set.highest_index() == static_cast<int>(DispatchKey::Autograd));
  CHECK(set.below(static_cast<int>(DispatchKey::Autograd)) == DispatchKeySet::backend(cpu));
  CHECK(set.highest_backend() == cpu);
  CHECK(to_string(set) == "{Autograd, cpu}");
  CHECK(DispatchKeySet().highest_index() == -1);
  CHECK(zeros({1}).key_set() == DispatchKeySet::backend(cpu));
}

TEST_CASE_FIXTURE(Fixture, "a call runs the highest key's kernel, which redispatches below itself") {
  RegistrationHandle b = impl_backend(), low = impl_layer<kTestLow>(), high = impl_layer<kTestHigh>();
  call(t);
  CHECK(route() == std::vector<std::string>{"backend"});
  route().clear();
  call(with_keys(t, DispatchKey::TestLow));
  CHECK(route() == std::vector<std::string>{"TestLow", "backend"});
  route().clear();
  {
    IncludeDispatchKeyGuard include(DispatchKey::TestHigh);
    call(with_keys(t, DispatchKey::TestLow));
    ExcludeDispatchKeyGuard exclude(DispatchKey::TestLow);
    call(with_keys(t, DispatchKey::TestLow));
  }
  CHECK(route() == std::vector<std::string>{"TestHigh", "TestLow", "backend", "TestHigh", "backend"});
  route().clear();
  call(t);  // the guards are gone
  CHECK(route() == std::vector<std::string>{"backend"});
}

TEST_CASE_FIXTURE(Fixture, "a functionality key without a kernel falls through") {
  RegistrationHandle b = impl_backend();
  call(with_keys(t, DispatchKeySet(DispatchKey::TestHigh) | DispatchKeySet(DispatchKey::Quantized)));
  CHECK(route() == std::vector<std::string>{"backend"});
  CHECK_FALSE(unary.dispatch_mask().has(DispatchKey::TestHigh));
}

TEST_CASE_FIXTURE(Fixture, "a missing kernel names the operator, the key set and who has kernels") {
  CHECK_THROWS_WITH(call(t), "[test_unary] no kernel for dispatch key cpu (key set {cpu}); kernels exist for: none");
  RegistrationHandle c = dispatcher.impl(unary, AliasKey::CompositeImplicit,
                                         KernelFunction::from_unboxed<Tensor, const Tensor&>(&composite_kernel), "c");
  call(t);
  CHECK(route() == std::vector<std::string>{"composite"});
  c.reset();
  CHECK_THROWS_WITH(call(t), "[test_unary] no kernel for dispatch key cpu (key set {cpu}); kernels exist for: none");
}

TEST_CASE_FIXTURE(Fixture, "boxed calls reach typed kernels, and a boxed fallback serves every operator") {
  RegistrationHandle b = impl_backend();
  RegistrationHandle f = dispatcher.fallback(kTestLow, KernelFunction::from_boxed(&boxed_layer), "test fallback");
  Stack stack;
  stack.push(IValue(with_keys(t, DispatchKey::TestLow)));
  unary.call_boxed(stack);
  REQUIRE(stack.size() == 1);
  CHECK(stack[0].to_tensor().numel() == 2);
  CHECK(route() == std::vector<std::string>{"boxed test_unary", "backend"});
  route().clear();
  call(with_keys(t, DispatchKey::TestLow));  // a typed call boxes its arguments for the fallback
  CHECK(route() == std::vector<std::string>{"boxed test_unary", "backend"});
  CHECK_THROWS_WITH(dispatcher.fallback(kTestLow, KernelFunction::from_boxed(&boxed_layer), "second"),
                    "[dispatcher] fallback for key TestLow is already registered by test fallback; second cannot add another");
}

TEST_CASE_FIXTURE(Fixture, "a typed call's tensors are borrowed on the stack and owned wherever they leave it") {
  RegistrationHandle b = dispatcher.impl(unary, cpu, KernelFunction::from_boxed(&keeping_kernel), "keeping kernel");
  Tensor x = zeros({3});
  const TensorImpl* impl = x.impl();
  REQUIRE(impl->use_count() == 1);
  Tensor returned = call(x);  // the kernel left the borrowed argument as its return
  CHECK(returned.is_same(x));
  CHECK(impl->use_count() == 3);  // x, the return and the kernel's copy: each a reference of its own
  x = Tensor();
  returned = Tensor();
  CHECK(impl->use_count() == 1);
  CHECK(kept_argument().to_tensor().numel() == 3);
  kept_argument() = IValue();
}

TEST_CASE_FIXTURE(Fixture, "a failed registration leaves the registry unchanged") {
  RegistrationHandle b = impl_backend();
  const std::string before = dispatcher.dump_all();
  CHECK_THROWS_WITH(impl_backend(),
                    "[dispatcher] test_unary: key cpu already has a kernel, registered by test backend; test backend cannot add another");
  CHECK(dispatcher.dump_all() == before);
  CHECK_THROWS_AS(dispatcher.impl(unary, DispatchKey::TestLow,
                                  KernelFunction::from_unboxed<Tensor, IntArrayRef, std::optional<Device>>(&factory_backend), "wrong"),
                  Error);
  CHECK(dispatcher.dump_all() == before);
}

TEST_CASE_FIXTURE(Fixture, "the table does not depend on the order of registration or removal") {
  using Make = RegistrationHandle (*)(Fixture&);
  const std::vector<Make> makers = {
      [](Fixture& f) { return f.impl_backend(); },
      [](Fixture& f) { return f.impl_layer<kTestLow>(); },
      [](Fixture& f) {
        return f.dispatcher.impl(f.unary, AliasKey::CompositeImplicit,
                                 KernelFunction::from_unboxed<Tensor, const Tensor&>(&composite_kernel), "composite");
      },
  };
  // The dump each subset of registrations must give, however it was reached.
  auto dump_of = [&](const std::vector<size_t>& subset) {
    Fixture fresh;
    std::vector<RegistrationHandle> handles;
    for (size_t i : subset) handles.push_back(makers[i](fresh));
    return fresh.dispatcher.dump_all();
  };
  std::vector<size_t> order = {0, 1, 2};
  const std::string full = dump_of(order);
  CHECK(full.find("TestLow: test layer") != std::string::npos);
  do {
    Fixture f;
    std::vector<RegistrationHandle> handles(3);
    for (size_t i : order) handles[i] = makers[i](f);
    CHECK(f.dispatcher.dump_all() == full);
    std::vector<size_t> remaining = {0, 1, 2};
    for (size_t i : order) {  // remove in the same permutation's order
      handles[i].reset();
      remaining.erase(std::find(remaining.begin(), remaining.end(), i));
      CHECK(f.dispatcher.dump_all() == dump_of(remaining));
    }
  } while (std::next_permutation(order.begin(), order.end()));
}

TEST_CASE_FIXTURE(Fixture, "the dump of an operator lists registrations and the computed table") {
  RegistrationHandle b = impl_backend(), low = impl_layer<kTestLow>();
  CHECK(unary.dump() ==
        "test_unary(Tensor self) -> Tensor\n"
        "registrations:\n"
        "  TestLow: test layer [unboxed]\n"
        "  cpu: test backend [unboxed]\n"
        "table:\n"
        "  TestLow: test layer\n"
        "  cpu: test backend\n");
}

TEST_CASE_FIXTURE(Fixture, "factories go through BackendSelect to the backend of their device") {
  CHECK(factory.always_included() == DispatchKeySet(DispatchKey::BackendSelect));
  RegistrationHandle select = dispatcher.impl(factory, DispatchKey::BackendSelect,
      KernelFunction::from_unboxed<Tensor, IntArrayRef, std::optional<Device>>(&factory_backend_select), "select");
  RegistrationHandle backend = dispatcher.impl(factory, cpu,
      KernelFunction::from_unboxed<Tensor, IntArrayRef, std::optional<Device>>(&factory_backend), "backend");
  const Tensor made = factory.call<Tensor, IntArrayRef, std::optional<Device>>({3}, Device("cpu"));
  CHECK(made.numel() == 3);
  CHECK(route() == std::vector<std::string>{"factory on {cpu}"});
  select.reset();
  CHECK_THROWS_WITH((factory.call<Tensor, IntArrayRef, std::optional<Device>>({3}, std::nullopt)),
                    "[test_factory] no dispatch key: the call has no tensor argument and no device to pick a "
                    "backend from; kernels exist for: cpu");
}

TEST_CASE_FIXTURE(Fixture, "operators defined at run time need a namespace and a new name") {
  RegistrationHandle def = dispatcher.def("acme::scale(Tensor self, float factor) -> Tensor", "acme");
  const OperatorHandle& op = dispatcher.get("acme::scale");
  CHECK(op.signature() == nullptr);
  CHECK_THROWS_WITH(dispatcher.def("acme::scale(Tensor self) -> Tensor", "again"),
                    "[dispatcher] def by again: operator 'acme::scale' is already defined");
  CHECK_THROWS_WITH(dispatcher.def("scale(Tensor self) -> Tensor", "acme"),
                    "[dispatcher] def by acme: operator 'scale' needs a namespace ('vendor::scale') so that it cannot "
                    "collide with Ember's own operators");
  CHECK_THROWS_AS(dispatcher.def("acme::bad(Tensor self -> Tensor", "acme"), Error);
  CHECK_THROWS_WITH(dispatcher.def("acme::odd(Tensor self) -> Tensor", "acme", "sideways"),
                    doctest::Contains("[dispatcher] def by acme: unknown shape rule 'sideways'; expected one of: "
                                      "addmm, arg_reduction, bmm, comparison,"));
  RegistrationHandle shaped = dispatcher.def("acme::gelu(Tensor self) -> Tensor", "acme", "elementwise_unary_float");
  CHECK(dispatcher.get("acme::gelu").structured_kind() == "elementwise_unary_float");
  def.reset();
  CHECK(dispatcher.find("acme::scale") == nullptr);
  CHECK_THROWS_WITH(dispatcher.get("test_unary.nope"),
                    "[dispatcher] no operator named 'test_unary.nope' (overloads that exist: test_unary)");
}

TEST_CASE("the real registry: every structured operator has a CPU kernel, every composite a host kernel") {
  init();
  const Dispatcher& d = Dispatcher::singleton();
  const int cpu = default_device().slot();
  for (size_t i = 0; i < d.num_operators(); ++i) {
    const OperatorHandle& op = d.op(static_cast<int>(i));
    CAPTURE(op.name());
    CHECK(op.table_entry(cpu).valid());
    CHECK(op.structured_kind().empty() != op.composite_kind().empty());
  }
  CHECK(d.get("empty").always_included() == DispatchKeySet(DispatchKey::BackendSelect));
  CHECK(d.get("zeros").table_entry(static_cast<int>(DispatchKey::BackendSelect)).valid());
}

TEST_CASE("operators called by name: arguments checked against the schema, defaults filled in") {
  init();
  const Tensor a = tensor({1.f, 2.f}), b = tensor({10.f, 20.f});
  CHECK(to_vector<float>(ops::call("add.Tensor", a, b)) == std::vector<float>{11.f, 22.f});
  CHECK(to_vector<float>(ops::call("add.Tensor", a, b, 2)) == std::vector<float>{21.f, 42.f});
  CHECK(to_vector<float>(ops::call("gelu", a, "tanh")) == to_vector<float>(gelu(a, "tanh")));

  // List defaults, written [1, 1] in the schema, and an empty one.
  const Tensor image = rand({1, 2, 5, 5}), weight = rand({3, 2, 3, 3});
  CHECK(to_vector<float>(ops::call("conv2d", image, weight)) == to_vector<float>(conv2d(image, weight)));
  const std::vector<IValue> pooled = ops::call_boxed("max_pool2d_with_indices", {IValue(image), IValue(IntArrayRef{2, 2})});
  REQUIRE(pooled.size() == 2);
  CHECK(pooled[0].to_tensor().sizes().equals({1, 2, 2, 2}));

  // An int where a float is due is widened.
  const Tensor u = ops::call("uniform_", empty({100}), 2, 3);
  CHECK(amin(u).item<float>() >= 2.f);
  CHECK(amax(u).item<float>() < 3.f);

  CHECK_THROWS_WITH(ops::call("add.Tensor", a), "[add.Tensor] argument 'other' is missing, and the schema gives it no default");
  CHECK_THROWS_WITH(ops::call("add.Tensor", a, 2), "[add.Tensor] argument 1 'other': expected Tensor, got int");
  CHECK_THROWS_WITH(ops::call("add.Tensor", a, b, "x"), "[add.Tensor] argument 2 'alpha': expected Scalar, got str");
  CHECK_THROWS_WITH(ops::call("neg", a, b), "[neg] expected at most 1 arguments (neg(Tensor self) -> Tensor), got 2");
  CHECK_THROWS_WITH(ops::call("max.dim", a, 0), "[max.dim] ops::call expects one tensor as the result, but the "
                                                "operator returned 2 value(s); use ops::call_boxed");
  CHECK_THROWS_WITH(ops::call("acme::nothing", a), "[dispatcher] no operator named 'acme::nothing'");
}

TEST_CASE("operators called by name take named arguments after the positional ones") {
  init();
  const Tensor a = tensor({1.f, 2.f}), b = tensor({10.f, 20.f});
  // A keyword-only argument, and one past a defaulted argument left out.
  const std::vector<IValue> scaled = ops::call_boxed("add.Tensor", {IValue(a), IValue(b)}, {{"alpha", IValue(3)}});
  CHECK(to_vector<float>(scaled[0].to_tensor()) == std::vector<float>{31.f, 62.f});
  Tensor out = empty({2});
  ops::call_boxed("add.Tensor_out", {IValue(a), IValue(b)}, {{"out", IValue(out)}});
  CHECK(to_vector<float>(out) == std::vector<float>{11.f, 22.f});
  const Tensor x = tensor({1.f, 2.f, 3.f, 4.f}, {2, 2});
  const std::vector<IValue> kept = ops::call_boxed("sum", {IValue(x)}, {{"keepdim", IValue(true)}});
  CHECK(kept[0].to_tensor().sizes().equals({1, 1}));

  CHECK_THROWS_WITH(ops::call_boxed("add.Tensor", {IValue(a), IValue(b)}, {{"beta", IValue(1)}}),
                    "[add.Tensor] has no argument named 'beta' (add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor)");
  CHECK_THROWS_WITH(ops::call_boxed("add.Tensor", {IValue(a), IValue(b)}, {{"other", IValue(a)}}),
                    "[add.Tensor] argument 'other' is given both by position and by name");
  CHECK_THROWS_WITH(ops::call_boxed("add.Tensor", {IValue(a), IValue(b)}, {{"alpha", IValue("x")}}),
                    "[add.Tensor] argument 2 'alpha': expected Scalar, got str");
}
