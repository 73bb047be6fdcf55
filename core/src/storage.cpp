#include "ember/core/storage.h"

namespace ember {

StorageImpl::StorageImpl(Device device, size_t nbytes)
    : interface_(IntrusivePtr<DeviceInterface>::share(&::ember::device_interface(device.slot()))),
      nbytes_(nbytes),
      device_(device) {
  data_ = interface_->allocate(device.index(), nbytes);
}

StorageImpl::~StorageImpl() { interface_->deallocate(device_.index(), data_, nbytes_); }

}  // namespace ember
