#include "device_checks.h"

#include <fmt/format.h>

#include <cstdint>
#include <numeric>
#include <vector>

namespace ember::plugin_check {
namespace {

constexpr size_t kAlignment = 8;      // the widest dtype: "aligned for any dtype" (plugin_api.h)
constexpr size_t kCopyOffset = 24;    // bytes into the second block, where the device copy lands
constexpr size_t kImpossible = size_t{1} << 52;  // 4 PiB

// A device block freed when it goes out of scope, so a failed check leaks nothing.
class Block {
 public:
  Block(DeviceInterface& device, int index, size_t nbytes)
      : device_(device), index_(index), nbytes_(nbytes), ptr_(device.allocate(index, nbytes)) {}
  ~Block() {
    if (ptr_) device_.deallocate(index_, ptr_, nbytes_);
  }
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;
  char* bytes() const { return static_cast<char*>(ptr_); }

 private:
  DeviceInterface& device_;
  int index_;
  size_t nbytes_;
  void* ptr_;
};

// "" when `nbytes` bytes go host -> device -> device at an offset -> host unchanged; else what broke.
std::string round_trip(DeviceInterface& device, int index, size_t nbytes) {
  using Kind = DeviceInterface::CopyKind;
  std::vector<unsigned char> sent(nbytes), received(nbytes, 0);
  std::iota(sent.begin(), sent.end(), static_cast<unsigned char>(nbytes));
  const Block first(device, index, nbytes), second(device, index, nbytes + kCopyOffset);
  for (const Block* block : {&first, &second}) {
    if (!block->bytes()) return "allocate returned a null block";
    if (reinterpret_cast<uintptr_t>(block->bytes()) % kAlignment != 0) {
      return fmt::format("block {} is not aligned to {} bytes", static_cast<const void*>(block->bytes()), kAlignment);
    }
  }
  device.copy(index, first.bytes(), sent.data(), nbytes, Kind::HostToDevice);
  device.copy(index, second.bytes() + kCopyOffset, first.bytes(), nbytes, Kind::DeviceToDevice);
  device.copy(index, received.data(), second.bytes() + kCopyOffset, nbytes, Kind::DeviceToHost);
  device.synchronize(index);
  const auto mismatch = std::mismatch(sent.begin(), sent.end(), received.begin());
  if (mismatch.first == sent.end()) return "";
  return fmt::format("byte {} came back as {}, sent as {}", mismatch.first - sent.begin(), *mismatch.second,
                     *mismatch.first);
}

void check_round_trips(DeviceInterface& device, int index, Report& report) {
  for (const size_t nbytes : {size_t{1}, size_t{7}, size_t{4096}, size_t{65536 + 3}}) {
    const std::string what = fmt::format("copies of {} B", nbytes);
    try {
      const std::string broken = round_trip(device, index, nbytes);
      if (broken.empty()) {
        report.ok(what, "host -> device -> device at an offset -> host, unchanged");
      } else {
        report.fail(what, broken);
      }
    } catch (const Error& e) {
      report.fail(what, e.what());
    }
  }
}

void check_impossible_allocation(DeviceInterface& device, int index, Report& report) {
  const std::string what = "impossible allocation";
  try {
    void* ptr = device.allocate(index, kImpossible);
    device.deallocate(index, ptr, kImpossible);
    report.fail(what, "4 PiB were granted; a device should refuse what it cannot hold");
  } catch (const Error& e) {
    report.ok(what, fmt::format("4 PiB refused: {}", e.what()));
  }
}

}  // namespace

void check_device(Device device, Report& report) {
  report.section("device");
  DeviceInterface& interface = device_interface(device.slot());
  const int count = interface.device_count();
  if (device.index() >= count) {
    report.fail("device count", fmt::format("{} device(s); index {} does not exist", count, device.index()));
    return;
  }
  report.ok("device count", fmt::format("{} device(s), checking {}", count, device.str()));
  check_round_trips(interface, device.index(), report);
  check_impossible_allocation(interface, device.index(), report);
}

}  // namespace ember::plugin_check
