// einsum: the equation parsed into labels per dimension, then the operands contracted left to
// right, each pair as one batched matrix product (the way opt_einsum's pairwise path and
// PyTorch's own implementation run), so that autograd differentiates it through bmm.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "ember/ember.h"
#include "ember/generated/composite.h"

namespace ember::composite {
namespace {

// Labels are the 52 letters; the dimensions an ellipsis covers get labels after them, one per
// broadcast dimension, aligned to the right as broadcasting aligns them.
constexpr int kLetters = 52;
using Labels = std::vector<int>;

int letter_label(char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= 'A' && c <= 'Z') return 26 + (c - 'A');
  return -1;
}

// One side of the equation: its letters and where its ellipsis stands (npos without one).
struct Term {
  std::string_view text;
  Labels letters;
  size_t ellipsis = std::string::npos;
};

Term parse_term(std::string_view text, const char* side) {
  Term term;
  term.text = text;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, 3) == "...") {
      EMBER_CHECK(term.ellipsis == std::string::npos, "[einsum] equation: {} '{}' has more than one ellipsis",
                  side, text);
      term.ellipsis = term.letters.size();
      i += 2;
      continue;
    }
    const int label = letter_label(text[i]);
    EMBER_CHECK(label >= 0, "[einsum] equation: expected letters, ',', '->' and '...', got '{}' in '{}'", text[i], text);
    term.letters.push_back(label);
  }
  return term;
}

// The labels of a term's dimensions once its ellipsis covers `covered` dimensions of the
// `broadcast` that every ellipsis shares.
Labels expand_term(const Term& term, int64_t covered, int64_t broadcast) {
  if (term.ellipsis == std::string::npos) return term.letters;
  Labels labels(term.letters.begin(), term.letters.begin() + static_cast<std::ptrdiff_t>(term.ellipsis));
  for (int64_t d = broadcast - covered; d < broadcast; ++d) labels.push_back(kLetters + static_cast<int>(d));
  labels.insert(labels.end(), term.letters.begin() + static_cast<std::ptrdiff_t>(term.ellipsis), term.letters.end());
  return labels;
}

// An operand whose dimensions carry distinct labels.
struct Operand {
  Tensor tensor;
  Labels labels;
};

// A label repeated within one operand takes the diagonal: the later dimension is multiplied by
// an identity mask and summed away.
Operand take_diagonals(Tensor t, Labels labels) {
  for (size_t i = 0; i < labels.size(); ++i) {
    for (size_t j = labels.size(); j-- > i + 1;) {
      if (labels[j] != labels[i]) continue;
      const int64_t n = t.size(static_cast<int64_t>(i));
      EMBER_CHECK(t.size(static_cast<int64_t>(j)) == n, "[einsum] operands: a label repeated in one operand names "
                  "dimensions of sizes {} and {}; expected equal sizes", n, t.size(static_cast<int64_t>(j)));
      DimVector shape(t.dim(), 1);
      shape[i] = n;
      shape[j] = n;
      const Tensor identity = ember::eye(n, std::nullopt, t.dtype(), t.device()).view(shape);
      t = (t * identity).sum(static_cast<int64_t>(j));
      labels.erase(labels.begin() + static_cast<std::ptrdiff_t>(j));
    }
  }
  return {t, labels};
}

std::string label_name(int label) {
  if (label >= kLetters) return "...";
  return std::string(1, static_cast<char>(label < 26 ? 'a' + label : 'A' + (label - 26)));
}

bool contains(const Labels& labels, int label) { return std::find(labels.begin(), labels.end(), label) != labels.end(); }

// Sums away the dimensions whose labels `keep` rejects.
Operand sum_unkept(const Operand& op, const std::vector<bool>& keep) {
  std::vector<int64_t> dims;
  Labels kept;
  for (size_t d = 0; d < op.labels.size(); ++d) {
    if (keep[op.labels[d]]) {
      kept.push_back(op.labels[d]);
    } else {
      dims.push_back(static_cast<int64_t>(d));
    }
  }
  if (dims.empty()) return op;
  return {op.tensor.sum(dims), kept};
}

int64_t size_of(const Operand& op, int label) {
  const auto at = std::find(op.labels.begin(), op.labels.end(), label);
  return at == op.labels.end() ? 1 : op.tensor.size(at - op.labels.begin());
}

// `op` permuted to the labels of `groups` in order and reshaped to one dimension per group; a
// size-1 dimension is expanded to `sizes[label]` (size-1 broadcasting).
Tensor grouped(const Operand& op, const std::vector<Labels>& groups, const std::vector<int64_t>& sizes) {
  std::vector<int64_t> order, expanded, folded;
  for (const Labels& group : groups) {
    int64_t product = 1;
    for (int label : group) {
      order.push_back(std::find(op.labels.begin(), op.labels.end(), label) - op.labels.begin());
      expanded.push_back(sizes[label]);
      // Broadcast (expanded) operands can name more elements together than int64 counts.
      EMBER_CHECK(!__builtin_mul_overflow(product, sizes[label], &product),
                  "[einsum] operands: the broadcast dimensions hold more elements than int64 counts");
    }
    folded.push_back(product);
  }
  return op.tensor.permute(order).expand(expanded).reshape(folded);
}

// a and b contracted over the labels they share that `keep` rejects, as one bmm: shared kept
// labels are the batch, the rest of each side its rows or columns.
Operand contract(const Operand& a, const Operand& b, const std::vector<bool>& keep) {
  Labels batch, contracted, rows, columns;
  std::vector<int64_t> sizes(keep.size(), 1);
  for (int label : a.labels) {
    const int64_t na = size_of(a, label), nb = size_of(b, label);
    EMBER_CHECK(na == nb || na == 1 || nb == 1, "[einsum] operands: label '{}' names dimensions of sizes {} and {}; "
                "expected equal sizes or 1", label_name(label), na, nb);
    sizes[label] = std::max(na, nb);
    if (!contains(b.labels, label)) {
      rows.push_back(label);
    } else {
      (keep[label] ? batch : contracted).push_back(label);
    }
  }
  for (int label : b.labels) {
    if (contains(a.labels, label)) continue;
    sizes[label] = size_of(b, label);
    columns.push_back(label);
  }
  const Tensor left = grouped(a, {batch, rows, contracted}, sizes);
  const Tensor right = grouped(b, {batch, contracted, columns}, sizes);
  DimVector shape;
  Labels labels;
  for (const Labels* group : {&batch, &rows, &columns}) {
    for (int label : *group) {
      shape.push_back(sizes[label]);
      labels.push_back(label);
    }
  }
  return {bmm(left, right).reshape(shape), labels};
}

}  // namespace

Tensor einsum(std::string_view equation, TensorList tensors) {
  std::string text;
  for (char c : equation) {
    if (c != ' ') text += c;
  }
  const size_t arrow = text.find("->");
  const std::string_view inputs = std::string_view(text).substr(0, arrow);
  std::vector<Term> terms;
  for (size_t start = 0;;) {
    const size_t comma = inputs.find(',', start);
    terms.push_back(parse_term(inputs.substr(start, comma - start), "operand"));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  EMBER_CHECK(terms.size() == tensors.size(), "[einsum] tensors: the equation '{}' has {} operands, got {} tensors",
              equation, terms.size(), tensors.size());

  // The dimensions each ellipsis covers, and the broadcast they share.
  int64_t broadcast = 0;
  std::vector<int64_t> covered(terms.size(), 0);
  for (size_t i = 0; i < terms.size(); ++i) {
    EMBER_CHECK(tensors[i].defined(), "[einsum] tensors: expected defined tensors, got an undefined one at {}", i);
    const int64_t named = static_cast<int64_t>(terms[i].letters.size());
    const bool has_ellipsis = terms[i].ellipsis != std::string::npos;
    EMBER_CHECK(has_ellipsis ? tensors[i].dim() >= named : tensors[i].dim() == named,
                "[einsum] tensors: operand {} ('{}') expects {}{} dimensions, got a tensor of {}", i,
                terms[i].text, has_ellipsis ? "at least " : "", named, tensors[i].dim());
    covered[i] = tensors[i].dim() - named;
    broadcast = std::max(broadcast, covered[i]);
  }

  // Labels and the output: as written after '->', else the letters used once, in order, after
  // the ellipsis dimensions.
  std::vector<Operand> operands;
  std::array<int, kLetters> uses{};
  for (size_t i = 0; i < terms.size(); ++i) {
    for (int label : terms[i].letters) ++uses[label];
    operands.push_back(take_diagonals(tensors[i], expand_term(terms[i], covered[i], broadcast)));
  }
  Labels output;
  if (arrow != std::string::npos) {
    const Term out = parse_term(std::string_view(text).substr(arrow + 2), "output");
    EMBER_CHECK(out.ellipsis != std::string::npos || broadcast == 0,
                "[einsum] equation: the operands' ellipsis dimensions must appear in the output as '...'");
    output = expand_term(out, broadcast, broadcast);
    for (int label : output) {
      EMBER_CHECK(label >= kLetters || uses[label] > 0, "[einsum] equation: output label '{}' appears in no operand",
                  label_name(label));
      EMBER_CHECK(std::count(output.begin(), output.end(), label) == 1,
                  "[einsum] equation: output label '{}' appears more than once", label_name(label));
    }
  } else {
    for (int64_t d = 0; d < broadcast; ++d) output.push_back(kLetters + static_cast<int>(d));
    for (int label = 0; label < kLetters; ++label) {
      if (uses[label] == 1) output.push_back(label);
    }
  }

  // Contract left to right; a label is kept while the output or a later operand needs it, and
  // one that only one side of a pair has and nothing later needs is summed before the product.
  const size_t num_labels = kLetters + static_cast<size_t>(broadcast);
  auto needed_after = [&](size_t i) {
    std::vector<bool> keep(num_labels, false);
    for (int label : output) keep[label] = true;
    for (size_t j = i + 1; j < operands.size(); ++j) {
      for (int label : operands[j].labels) keep[label] = true;
    }
    return keep;
  };
  auto with = [](std::vector<bool> keep, const Labels& labels) {
    for (int label : labels) keep[label] = true;
    return keep;
  };
  Operand result = sum_unkept(operands[0], needed_after(0));
  for (size_t i = 1; i < operands.size(); ++i) {
    const std::vector<bool> keep = needed_after(i);
    result = contract(sum_unkept(result, with(keep, operands[i].labels)),
                      sum_unkept(operands[i], with(keep, result.labels)), keep);
  }
  std::vector<int64_t> order;
  for (int label : output) order.push_back(std::find(result.labels.begin(), result.labels.end(), label) - result.labels.begin());
  return result.tensor.permute(order);
}

}  // namespace ember::composite
