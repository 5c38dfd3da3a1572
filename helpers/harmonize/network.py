"""The harmonizing network in Keras: a bidirectional GRU with, per output voice, a softmax over pitches and an onset
unit (notebook 09; several output voices in 10). The only module of the package that imports Keras at the top of a
function; decoding and encoding are NumPy only.
"""

from __future__ import annotations

from .encoding import Encoding


def build_model(enc: Encoding, units: int = 64, layers: int = 1, dropout: float = 0.0,
                learning_rate: float = 3e-3):
    """A bidirectional GRU harmonizer: input ``(batch, steps, enc.n_features)``; outputs, per output voice ``V``,
    ``V_pitch`` (softmax over rest + pitches) and ``V_onset`` (sigmoid). Compiled with cross-entropy losses.

    Notebook: 09_harmonization
    """
    import keras
    from keras import layers as L

    x = L.Input((None, enc.n_features), name="melody")
    h = L.Masking(0.0, name="padding")(x)  # all-zero rows pad a batch of pieces of different lengths
    for i in range(layers):
        h = L.Bidirectional(L.GRU(units, return_sequences=True, dropout=dropout), name=f"bigru_{i + 1}")(h)
    outputs, losses, metrics = {}, {}, {}
    for v in enc.outputs:
        outputs[f"{v}_pitch"] = L.Dense(enc.n_classes(v), activation="softmax", name=f"{v}_pitch")(h)
        outputs[f"{v}_onset"] = L.Dense(1, activation="sigmoid", name=f"{v}_onset")(h)
        losses[f"{v}_pitch"] = "sparse_categorical_crossentropy"
        losses[f"{v}_onset"] = "binary_crossentropy"
        metrics[f"{v}_pitch"] = ["accuracy"]
    model = keras.Model(x, outputs, name="harmonizer")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=losses, metrics=metrics)
    return model
