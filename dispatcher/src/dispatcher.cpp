#include "ember/dispatcher/dispatcher.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "ember/schema/schema_parser.h"
#include "structured_meta.h"

namespace ember {

namespace generated {
// The operator table generated from ops.yaml (ember-gen writes its definition).
ArrayRef<schema::OpRecord> op_records();
}  // namespace generated

namespace {

bool has_tensor_argument(const schema::FunctionSchema& schema) {
  return std::any_of(schema.arguments.begin(), schema.arguments.end(),
                     [](const schema::Argument& a) { return a.type.base == schema::BaseType::Tensor; });
}

int key_index(const KernelKey& key) {
  if (auto* k = std::get_if<DispatchKey>(&key)) return static_cast<int>(*k);
  if (auto* s = std::get_if<BackendSlot>(&key)) return *s;
  return -1;
}

std::string key_label(const KernelKey& key) {
  if (auto* a = std::get_if<AliasKey>(&key)) {
    return *a == AliasKey::CompositeImplicit ? "CompositeImplicit" : "CompositeExplicit";
  }
  return dispatch_key_name(key_index(key));
}

}  // namespace

Dispatcher& Dispatcher::singleton() {
  static Dispatcher instance(generated::op_records());
  return instance;
}

Dispatcher::Dispatcher(ArrayRef<schema::OpRecord> records) {
  const char* log = std::getenv("EMBER_LOG");
  if (log && std::strstr(log, "dispatch")) detail::g_trace_dispatch = true;
  operators_.reserve(records.size());
  for (const schema::OpRecord& record : records) {
    add_operator(schema::parse_schema(record.schema), &record);
  }
}

void Dispatcher::add_operator(schema::FunctionSchema schema, const schema::OpRecord* record) {
  const int id = static_cast<int>(operators_.size());
  auto op = std::make_unique<OperatorHandle>(id, std::move(schema),
                                             record ? record->signature : nullptr);
  if (record) {
    op->structured_kind_ = record->structured;
    op->composite_kind_ = record->composite;
    // A factory has no tensor to take a backend from: BackendSelect reads its `device`.
    if (record->factory && !has_tensor_argument(op->schema())) {
      op->always_included_ = DispatchKey::BackendSelect;
    }
  }
  op->recompute_table(fallbacks_);
  operators_.push_back(std::move(op));
}

const OperatorHandle* Dispatcher::find(std::string_view full_name) const {
  std::lock_guard lock(mutex_);
  for (const auto& op : operators_) {
    if (op && op->name() == full_name) return op.get();
  }
  return nullptr;
}

const OperatorHandle& Dispatcher::get(std::string_view full_name) const {
  const OperatorHandle* op = find(full_name);
  if (op) return *op;
  std::string similar;
  const std::string_view base = full_name.substr(0, full_name.find('.'));
  std::lock_guard lock(mutex_);
  for (const auto& candidate : operators_) {
    if (candidate && candidate->schema().name == base) {
      similar += (similar.empty() ? "" : ", ") + candidate->name();
    }
  }
  EMBER_FAIL("[dispatcher] no operator named '{}'{}", full_name,
             similar.empty() ? "" : " (overloads that exist: " + similar + ")");
}

RegistrationHandle Dispatcher::def(std::string_view schema_text, std::string owner, const std::string& shape_rule) {
  EMBER_CHECK(shape_rule.empty() || structured::find_meta(shape_rule) != nullptr,
              "[dispatcher] def by {}: unknown shape rule '{}'; expected one of: {}", owner, shape_rule,
              fmt::join(structured::meta_kinds(), ", "));
  schema::FunctionSchema parsed;
  try {
    parsed = schema::parse_schema(schema_text);
  } catch (const schema::SchemaError& e) {
    EMBER_FAIL("[dispatcher] def by {}: {}", owner, e.what());
  }
  std::lock_guard lock(mutex_);
  EMBER_CHECK(!parsed.ns.empty(),
              "[dispatcher] def by {}: operator '{}' needs a namespace ('vendor::{}') so that it "
              "cannot collide with Ember's own operators", owner, parsed.full_name(), parsed.name);
  EMBER_CHECK(find(parsed.full_name()) == nullptr,
              "[dispatcher] def by {}: operator '{}' is already defined", owner, parsed.full_name());
  add_operator(std::move(parsed), nullptr);
  const int id = static_cast<int>(operators_.size()) - 1;
  operators_[id]->structured_kind_ = shape_rule;
  return RegistrationHandle([this, id] {
    std::lock_guard lock(mutex_);
    operators_[id].reset();  // ids stay stable; the name is free again
  });
}

RegistrationHandle Dispatcher::impl(const OperatorHandle& handle, KernelKey key,
                                    KernelFunction kernel, std::string owner) {
  std::lock_guard lock(mutex_);
  OperatorHandle& op = mutable_op(handle);
  EMBER_CHECK(kernel.valid(), "[dispatcher] {}: kernel from {} is empty", op.name(), owner);
  if (kernel.signature()) {
    EMBER_CHECK(op.signature() && *kernel.signature() == *op.signature(),
                "[dispatcher] {}: kernel from {} has C++ signature {}, but the schema '{}' needs {}",
                op.name(), owner, kernel.signature()->name(), schema::to_string(op.schema()),
                op.signature() ? op.signature()->name() : "a boxed kernel");
  }
  std::optional<KernelRegistration>* slot = nullptr;
  if (auto* alias = std::get_if<AliasKey>(&key)) {
    slot = *alias == AliasKey::CompositeImplicit ? &op.composite_implicit_ : &op.composite_explicit_;
  } else {
    const int index = key_index(key);
    EMBER_CHECK(index >= 0 && index < kNumDispatchKeys, "[dispatcher] {}: key index {} out of range",
                op.name(), index);
    slot = &op.direct_[index];
  }
  EMBER_CHECK(!slot->has_value(),
              "[dispatcher] {}: key {} already has a kernel, registered by {}; {} cannot add another",
              op.name(), key_label(key), (*slot)->owner, owner);
  slot->emplace(KernelRegistration{kernel, std::move(owner)});
  op.recompute_table(fallbacks_);
  const int id = op.id();
  return RegistrationHandle([this, id, slot] {
    std::lock_guard lock(mutex_);
    if (!operators_[id]) return;
    slot->reset();
    operators_[id]->recompute_table(fallbacks_);
  });
}

RegistrationHandle Dispatcher::fallback(int index, KernelFunction kernel, std::string owner) {
  std::lock_guard lock(mutex_);
  EMBER_CHECK(index >= 0 && index < kNumDispatchKeys, "[dispatcher] fallback: key index {} out of range", index);
  EMBER_CHECK(!fallbacks_[index].has_value(),
              "[dispatcher] fallback for key {} is already registered by {}; {} cannot add another",
              dispatch_key_name(index), fallbacks_[index]->owner, owner);
  fallbacks_[index].emplace(KernelRegistration{kernel, std::move(owner)});
  for (auto& op : operators_) {
    if (op) op->recompute_table(fallbacks_);
  }
  return RegistrationHandle([this, index] {
    std::lock_guard lock(mutex_);
    fallbacks_[index].reset();
    for (auto& op : operators_) {
      if (op) op->recompute_table(fallbacks_);
    }
  });
}

std::string Dispatcher::dump_all() const {
  std::lock_guard lock(mutex_);
  std::vector<const OperatorHandle*> sorted;
  for (const auto& op : operators_) {
    if (op) sorted.push_back(op.get());
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const OperatorHandle* a, const OperatorHandle* b) { return a->name() < b->name(); });
  std::string out;
  for (const OperatorHandle* op : sorted) out += op->dump();
  return out;
}

}  // namespace ember
