// Trains a small CNN on the UCI handwritten digits (1,797 8x8 images) on the best backend
// available, reports held-out accuracy, saves the model as safetensors and reloads it to check
// the saved model scores the same. With --quantize, it then quantizes the model statically to
// int8 (prepare, calibrate on training batches, convert) and compares accuracy and speed on the CPU.
//
//   train_digits [--device cpu|cuda|hip|<plugin>] [--epochs N] [--batch-size N] [--lr X]
//                [--seed N] [--data digits.csv.gz] [--save model.safetensors] [--min-accuracy X]
//                [--quantize]
// Exits with 1 below --min-accuracy or when the int8 model loses more than 1 point, and with 77
// (a skip, to CTest) when --device names a backend that cannot be used here.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "ember/autograd/grad_mode.h"
#include "ember/data/csv.h"
#include "ember/data/dataloader.h"
#include "ember/ember.h"
#include "ember/nn.h"
#include "ember/nn/safetensors.h"
#include "ember/optim/adam.h"
#include "ember/optim/lr_scheduler.h"
#include "ember/quantization.h"
#include "progress_bar.h"

using namespace ember;

namespace {

struct Settings {
  std::string device;  // empty: the best one loaded
  int epochs = 12;
  int64_t batch_size = 64;
  double lr = 3e-3;
  uint64_t seed = 0;
  std::string data = EMBER_DIGITS_CSV;
  std::string save = "digits_cnn.safetensors";
  double min_accuracy = 0;  // exit with status 1 below this test accuracy
  bool quantize = false;
};

Settings parse(int argc, char** argv) {
  Settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::printf("usage: train_digits [--device cpu|cuda|hip|<plugin>] [--epochs N] [--batch-size N] [--lr X]\n"
                  "                    [--seed N] [--data digits.csv.gz] [--save model.safetensors] [--min-accuracy X]\n"
                  "                    [--quantize]\n");
      std::exit(0);
    }
    if (flag == "--quantize") {
      s.quantize = true;
      continue;
    }
    EMBER_CHECK(i + 1 < argc, "[train_digits] {}: expected a value after it", flag);
    const std::string value = argv[++i];
    if (flag == "--device") s.device = value;
    else if (flag == "--epochs") s.epochs = std::stoi(value);
    else if (flag == "--batch-size") s.batch_size = std::stoll(value);
    else if (flag == "--lr") s.lr = std::stod(value);
    else if (flag == "--seed") s.seed = std::stoull(value);
    else if (flag == "--data") s.data = value;
    else if (flag == "--save") s.save = value;
    else if (flag == "--min-accuracy") s.min_accuracy = std::stod(value);
    else EMBER_CHECK(false, "[train_digits] {}: unknown option (see --help)", flag);
  }
  return s;
}

// An accelerator when one loaded with a device, else the CPU.
Device best_device() {
  init();
  for (const char* name : {"cuda", "rocm"}) {
    for (const BackendDiagnostic& d : backend_diagnostics()) {
      if (d.name == name && d.status == BackendDiagnostic::Status::Loaded && d.device_count > 0) return Device(name);
    }
  }
  return Device("cpu");
}

std::shared_ptr<nn::Sequential> make_model() {
  using nn::functional::Conv2dOptions;
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::UnaryModule>>{
      std::make_shared<nn::Conv2d>(1, 32, nn::functional::Pair{3, 3}, Conv2dOptions{.padding = {1, 1}}),
      std::make_shared<nn::BatchNorm2d>(32),
      std::make_shared<nn::ReLU>(),
      std::make_shared<nn::MaxPool2d>(nn::functional::Pair{2, 2}),  // 8x8 -> 4x4
      std::make_shared<nn::Conv2d>(32, 64, nn::functional::Pair{3, 3}, Conv2dOptions{.padding = {1, 1}}),
      std::make_shared<nn::BatchNorm2d>(64),
      std::make_shared<nn::ReLU>(),
      std::make_shared<nn::MaxPool2d>(nn::functional::Pair{2, 2}),  // 4x4 -> 2x2
      std::make_shared<nn::Flatten>(),
      std::make_shared<nn::Dropout>(0.2),
      std::make_shared<nn::Linear>(64 * 2 * 2, 10),
  });
}

// Correct predictions over the whole loader, in evaluation mode.
double evaluate(nn::UnaryModule& model, data::DataLoader& loader, Device device) {
  autograd::NoGradGuard no_grad;
  model.eval();
  int64_t correct = 0, total = 0;
  for (const data::Example& batch : loader) {
    const Tensor predicted = model(batch.data.to(device)).argmax(1);
    correct += eq(predicted, batch.target.to(device)).sum().item<int64_t>();
    total += batch.target.numel();
  }
  return static_cast<double>(correct) / static_cast<double>(total);
}

// Seconds per pass over the loader, the best of three (after a warm-up pass).
double seconds_per_pass(nn::UnaryModule& model, data::DataLoader& loader) {
  autograd::NoGradGuard no_grad;
  double best = 1e30;
  for (int pass = 0; pass < 4; ++pass) {
    const auto started = std::chrono::steady_clock::now();
    for (const data::Example& batch : loader) model(batch.data);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (pass > 0) best = std::min(best, seconds);
  }
  return best;
}

// Static post-training quantization of the trained model on the CPU: BatchNorm folded into the
// convolutions, observers calibrated on 8 training batches, int8 convolutions and Linear between
// quint8 activations. Returns false when the int8 model loses more than 1 point of accuracy.
bool quantize_and_compare(nn::Sequential& model, data::DataLoader& train, data::DataLoader& test, double accuracy) {
  model.to(Device("cpu"));
  model.eval();
  const auto prepared = quantization::prepare(model);
  {
    autograd::NoGradGuard no_grad;
    int batches = 0;
    for (const data::Example& batch : train) {
      (*prepared)(batch.data);
      if (++batches == 8) break;
    }
  }
  const auto quantized = quantization::convert(*prepared);
  std::printf("int8 model:\n%s\n", quantized->str().c_str());
  const double int8_accuracy = evaluate(*quantized, test, Device("cpu"));
  const double float_seconds = seconds_per_pass(model, test), int8_seconds = seconds_per_pass(*quantized, test);
  std::printf("int8: test accuracy %.2f%% (float32 %.2f%%); test set in %.2f ms (float32 %.2f ms, %.2fx)\n",
              100 * int8_accuracy, 100 * accuracy, 1e3 * int8_seconds, 1e3 * float_seconds, float_seconds / int8_seconds);
  if (int8_accuracy < accuracy - 0.01) {
    std::fprintf(stderr, "train_digits: the int8 model lost more than 1 point of accuracy\n");
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) try {
  const Settings settings = parse(argc, argv);
  if (!settings.device.empty()) {
    try {
      require_backend(settings.device.substr(0, settings.device.find(':')));
    } catch (const Error& e) {
      std::fprintf(stderr, "train_digits: skipped: %s\n", e.what());
      return 77;
    }
  }
  const Device device = settings.device.empty() ? best_device() : Device(settings.device);
  manual_seed(settings.seed);

  // 64 pixel counts (0..16) and the digit per row; pixels scaled to [0, 1].
  const Tensor table = data::read_csv(settings.data);
  const Tensor images = (table.slice(1, 0, 64) / 16.0).reshape({-1, 1, 8, 8}).contiguous();
  const Tensor labels = table.select(1, 64).to(DType::Int64);
  const auto all = std::make_shared<data::TensorDataset>(images, labels);
  const int64_t test_size = all->size() / 5;
  const auto split = data::random_split(all, {all->size() - test_size, test_size}, settings.seed);
  data::DataLoader train(split[0], {.batch_size = settings.batch_size, .shuffle = true, .seed = settings.seed});
  data::DataLoader test(split[1], {.batch_size = 256});
  std::printf("digits: %lld training and %lld test images, device %s\n", static_cast<long long>(split[0]->size()),
              static_cast<long long>(test_size), device.str().c_str());

  auto model = make_model();
  model->to(device);
  std::printf("%s\n", model->str().c_str());
  optim::AdamW optimizer(model->parameters(), {.lr = settings.lr, .weight_decay = 1e-4});
  optim::CosineAnnealingLR schedule(optimizer, settings.epochs);

  const auto started = std::chrono::steady_clock::now();
  for (int epoch = 1; epoch <= settings.epochs; ++epoch) {
    model->train();
    ProgressBar bar(epoch, settings.epochs, train.num_batches());
    double loss_sum = 0;
    int64_t correct = 0, seen = 0, step = 0;
    for (const data::Example& batch : train) {
      const Tensor x = batch.data.to(device), y = batch.target.to(device);
      const Tensor logits = (*model)(x);
      const Tensor loss = nn::functional::cross_entropy(logits, y, {.label_smoothing = 0.05});
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      const int64_t n = y.numel();
      loss_sum += loss.item<float>() * static_cast<double>(n);
      correct += eq(logits.argmax(1), y).sum().item<int64_t>();
      seen += n;
      bar.update(++step, loss_sum / static_cast<double>(seen), static_cast<double>(correct) / static_cast<double>(seen), seen);
    }
    schedule.step();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double accuracy = evaluate(*model, test, device);
  std::printf("trained in %.1f s; test accuracy %.2f%%\n", seconds, 100 * accuracy);

  nn::save(*model, settings.save);
  auto reloaded = make_model();
  reloaded->to(device);
  nn::load(*reloaded, settings.save);
  const double reloaded_accuracy = evaluate(*reloaded, test, device);
  std::printf("saved to %s and reloaded: test accuracy %.2f%% (%s)\n", settings.save.c_str(), 100 * reloaded_accuracy,
              reloaded_accuracy == accuracy ? "the same" : "DIFFERENT");
  if (reloaded_accuracy != accuracy) return 1;
  if (settings.quantize && !quantize_and_compare(*model, train, test, accuracy)) return 1;
  if (accuracy < settings.min_accuracy) {
    std::fprintf(stderr, "train_digits: test accuracy %.2f%% is below the required %.2f%%\n", 100 * accuracy,
                 100 * settings.min_accuracy);
    return 1;
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "train_digits: %s\n", e.what());
  return 1;
}
