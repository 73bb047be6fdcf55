// A first tour: tensors on the CPU backend (a plugin loaded at run time), broadcasting, type
// promotion, views, reductions, a matrix product, and an error that names what went wrong.
#include <iostream>

#include "ember/ember.h"

int main() try {
  using namespace ember;
  const Tensor a = tensor({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, {2, 3});
  const Tensor b = tensor({10.f, 20.f, 30.f});
  std::cout << "a =\n" << a << "\n";
  std::cout << "a + b (broadcast) =\n" << a + b << "\n";
  std::cout << "a * 2 (int scalar, float result) =\n" << a * 2 << "\n";
  std::cout << "a.t() =\n" << a.transpose(0, 1) << "\n";
  std::cout << "a.sum(dim=1) = " << a.sum(1) << "\n";
  std::cout << "a.softmax(-1) =\n" << a.softmax(-1) << "\n";
  std::cout << "a @ a.t() =\n" << matmul(a, a.transpose(0, 1)) << "\n";
  std::cout << "arange(6).reshape({2, 3}) =\n" << arange(6).reshape({2, 3}) << "\n";
  manual_seed(0);
  std::cout << "randn({2, 2}) =\n" << randn({2, 2}) << "\n";
  try {
    mm(a, a);
  } catch (const Error& e) {
    std::cout << "mm(a, a) fails cleanly: " << e.what() << "\n";
  }
  return 0;
} catch (const ember::Error& e) {
  std::cerr << "hello_ember: " << e.what() << "\n";
  return 1;
}
