"""Reference outputs for the local cross-encoder's parity test (Tests/EngramEmbeddingTests/LocalCrossEncoderTests.swift).

Usage: cross_encoder_reference.py OUT_DIR VOCAB_TXT

Builds, with a fixed seed, small randomly initialised transformers.BertForSequenceClassification models with
num_labels=1, saves each with save_pretrained(safe_serialization=True), its BertTokenizer and VOCAB_TXT into
OUT_DIR/<name>/, tokenises a dozen (query, document) pairs with the default truncation (longest_first) and writes
the token ids, token type ids and PyTorch's float32 logits (eval mode) to OUT_DIR/reference.json.

The weights are drawn wider than BERT's initialisation (and every bias and LayerNorm is randomised), and the
classifier is then set to read the pooled outputs' first principal component over the pairs, with logits of mean 0
and standard deviation 3: a forward pass that gets any step wrong scores the pairs differently, which the cosine
of the logit vectors sees.
"""

import json
import shutil
import sys

import torch
from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

# Two shapes: a tiny cased model whose linear layers the packed kernels cannot take (widths not multiples of
# 32), and an uncased one whose every width they can (hidden 384, intermediate 1536, 12 heads).
MODELS = [
    dict(name="tiny-cased", hidden_size=48, num_hidden_layers=2, num_attention_heads=4, intermediate_size=80,
         max_position_embeddings=64, do_lower_case=False, max_length=40),
    dict(name="packed-uncased", hidden_size=384, num_hidden_layers=2, num_attention_heads=12, intermediate_size=1536,
         max_position_embeddings=512, do_lower_case=True, max_length=96),
]

LONG = (
    "The quick brown fox jumps over the lazy dog while the committee, after lengthy deliberation, "
    "decided that the annual report should be rewritten from scratch; meanwhile, in another building, "
    "engineers measured the latency of every request, logged it, and compared it with last year's numbers. "
)

PAIRS = [
    ("what is the capital of france?", "Paris is the capital and most populous city of France."),
    ("what is the capital of france?", "Berlin is the capital of Germany."),
    ("How do I reset my password?", "Open Settings → Account → Security, then choose \"Reset password\"."),
    ("Café crème brûlée recipe", "Crème brûlée: heat the cream, whisk yolks & sugar, bake at 150 °C, then caramelise."),
    ("東京の天気は？", "今日の東京は晴れ、最高気温は25度です。"),
    ("Ελληνικά γράμματα", "Το άλφα, το βήτα και το γάμμα είναι γράμματα."),
    ("emoji 🎉 party", "We celebrated with cake 🎂 and confetti 🎉!!!"),
    ("naïve résumé façade", "Zoë's coöperative sold piñatas in São Paulo."),
    ("short", LONG * 3),
    (LONG * 2, "a short document"),
    (LONG * 2, LONG * 3),
    (LONG * 3, LONG * 2),
    ("U.S.A. v. e.g., i.e. — punctuation: (brackets) [square] {curly} <angle>", "50% of $100 is $50; 3/4 ≈ 0.75 #hash @at"),
]


def randomise(model: torch.nn.Module, generator: torch.Generator, spread: float) -> None:
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "LayerNorm.weight" in name:
                parameter.copy_(1 + 0.2 * torch.randn(parameter.shape, generator=generator))
            elif name.endswith("bias"):
                parameter.copy_(0.1 * torch.randn(parameter.shape, generator=generator))
            elif "embeddings" in name:
                parameter.copy_(torch.randn(parameter.shape, generator=generator))
            else:
                fan_in = parameter.shape[-1]
                parameter.copy_(spread / fan_in**0.5 * torch.randn(parameter.shape, generator=generator))
        model.classifier.bias.zero_()


def main() -> None:
    out_dir, vocab_path = sys.argv[1], sys.argv[2]
    torch.manual_seed(20240601)
    generator = torch.Generator().manual_seed(20240601)
    with open(vocab_path, encoding="utf-8") as vocab:
        vocab_size = sum(1 for _ in vocab)
    models = []
    for spec in MODELS:
        directory = f"{out_dir}/{spec['name']}"
        config = BertConfig(
            vocab_size=vocab_size, hidden_size=spec["hidden_size"], num_hidden_layers=spec["num_hidden_layers"],
            num_attention_heads=spec["num_attention_heads"], intermediate_size=spec["intermediate_size"],
            max_position_embeddings=spec["max_position_embeddings"], type_vocab_size=2, hidden_act="gelu",
            layer_norm_eps=1e-12, num_labels=1,
        )
        model = BertForSequenceClassification(config)
        randomise(model, generator, spread=1.0)
        model.eval()
        tokenizer = BertTokenizer(vocab_path, do_lower_case=spec["do_lower_case"])
        encodings = [
            tokenizer(query, document, truncation=True, max_length=spec["max_length"], return_tensors="pt")
            for query, document in PAIRS
        ]

        def logits() -> torch.Tensor:
            with torch.no_grad():
                return torch.tensor([model(**encoded).logits[0, 0].item() for encoded in encodings])

        # The classifier reads the direction in which the pooled outputs of the pairs differ most (their
        # first principal component), scaled to logits of standard deviation 3 and centred on 0: what the
        # pairs share then weighs little in the logits, and what sets them apart weighs most.
        with torch.no_grad():
            pooled = torch.stack([model.bert(**encoded).pooler_output[0] for encoded in encodings])
            centred = pooled - pooled.mean(dim=0)
            direction = torch.linalg.svd(centred, full_matrices=False).Vh[0]
            projections = pooled @ direction
            scale = 3 / projections.std(unbiased=False)
            model.classifier.weight.copy_(scale * direction.unsqueeze(0))
            model.classifier.bias.fill_(-scale * projections.mean())
        model.save_pretrained(directory, safe_serialization=True)
        tokenizer.save_pretrained(directory)
        shutil.copyfile(vocab_path, f"{directory}/vocab.txt")
        cases = [
            dict(
                query=query, document=document,
                input_ids=encoded["input_ids"][0].tolist(), token_type_ids=encoded["token_type_ids"][0].tolist(),
                logit=logit,
            )
            for (query, document), encoded, logit in zip(PAIRS, encodings, logits().tolist())
        ]
        models.append(dict(name=spec["name"], directory=directory, max_length=spec["max_length"], cases=cases))
    with open(f"{out_dir}/reference.json", "w", encoding="utf-8") as output:
        json.dump(dict(models=models), output, ensure_ascii=False)


if __name__ == "__main__":
    main()
