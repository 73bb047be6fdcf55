// The operator registry: every operator by id and name, kernel registration, fallbacks.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <variant>
#include <vector>

#include "ember/dispatcher/operator_handle.h"
#include "ember/schema/op_record.h"

namespace ember {

// Undoes a registration when destroyed (unless released): unloading a plugin removes its kernels.
class RegistrationHandle {
 public:
  RegistrationHandle() = default;
  explicit RegistrationHandle(std::function<void()> undo) : undo_(std::move(undo)) {}
  RegistrationHandle(RegistrationHandle&& o) noexcept : undo_(std::exchange(o.undo_, nullptr)) {}
  RegistrationHandle& operator=(RegistrationHandle&& o) noexcept {
    reset();
    undo_ = std::exchange(o.undo_, nullptr);
    return *this;
  }
  ~RegistrationHandle() { reset(); }
  void reset() {
    if (undo_) std::exchange(undo_, nullptr)();
  }
  // Keeps the registration for the life of the process.
  void release() { undo_ = nullptr; }

 private:
  std::function<void()> undo_;
};

// Where a kernel is registered: one runtime key (a functionality key or a backend slot) or an
// alias key that stands for several.
using KernelKey = std::variant<DispatchKey, BackendSlot, AliasKey>;

class Dispatcher {
 public:
  // The process-wide registry, built from the generated schema table on first use.
  static Dispatcher& singleton();
  explicit Dispatcher(ArrayRef<schema::OpRecord> records);

  // The operator with generated id `id` (ember::OpId).
  const OperatorHandle& op(int id) const { return *operators_[id]; }
  // The operator named `full_name` ("add.Tensor"), or nullptr.
  const OperatorHandle* find(std::string_view full_name) const;
  // Like find, but throws an ember::Error that suggests close names.
  const OperatorHandle& get(std::string_view full_name) const;
  size_t num_operators() const { return operators_.size(); }

  // Adds an operator from its schema text; its name must be new and carry a namespace. A
  // `shape_rule` (a structured kind of ops.yaml: "elementwise_unary", "mm", ...) lets backends
  // implement it as a structured kernel, the host inferring and allocating its outputs.
  RegistrationHandle def(std::string_view schema_text, std::string owner, const std::string& shape_rule = {});
  // Registers `kernel` for `op` at `key`. Throws (and changes nothing) when the key already
  // has a kernel or the kernel's C++ signature differs from the operator's.
  RegistrationHandle impl(const OperatorHandle& op, KernelKey key, KernelFunction kernel,
                          std::string owner);
  // Registers a boxed kernel that serves every operator at runtime key `index` lacking one.
  RegistrationHandle fallback(int index, KernelFunction kernel, std::string owner);

  // Every operator's dump, sorted by name (the state is independent of registration order).
  std::string dump_all() const;

 private:
  OperatorHandle& mutable_op(const OperatorHandle& op) { return *operators_[op.id()]; }
  void add_operator(schema::FunctionSchema schema, const schema::OpRecord* record);

  mutable std::recursive_mutex mutex_;
  std::vector<std::unique_ptr<OperatorHandle>> operators_;
  std::array<std::optional<KernelRegistration>, kNumDispatchKeys> fallbacks_;
};

}  // namespace ember
