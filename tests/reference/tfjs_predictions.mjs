// Independent reference for chapter 7: the CNN Explainer Tiny VGG evaluated by
// TensorFlow.js itself (pure-JavaScript CPU backend) on the 21 lossless PNGs.
//
// Not run in CI. To rerun (see README.md beside this file):
//   mkdir -p /tmp/tfjs-ref && cd /tmp/tfjs-ref && npm init -y && npm install @tensorflow/tfjs pngjs
//   NODE_PATH=/tmp/tfjs-ref/node_modules node tests/reference/tfjs_predictions.mjs > tests/reference/tiny_vgg_tfjs.json
// (run the second line from the repository root).
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

// NODE_PATH works for require(), not for import, so load the packages through require.
const require = createRequire(path.join(process.env.NODE_PATH ?? ".", "noop.js"));
const tf = require("@tensorflow/tfjs");
const { PNG } = require("pngjs");

const dataDir = path.resolve("data/cnn-explainer");
const classes = ["lifeboat", "ladybug", "pizza", "bell pepper", "school bus",
  "koala", "espresso", "red panda", "orange", "sport car"];

// A file-based IO handler: tf.loadLayersModel reads model.json's topology and
// weight specs, and the shard's bytes, from disk (no HTTP, no tfjs-node).
function fileHandler(modelJsonPath) {
  return {
    load: async () => {
      const model = JSON.parse(fs.readFileSync(modelJsonPath, "utf8"));
      const specs = [];
      const buffers = [];
      for (const group of model.weightsManifest) {
        for (const p of group.paths) {
          buffers.push(fs.readFileSync(path.join(path.dirname(modelJsonPath), p)));
        }
        specs.push(...group.weights);
      }
      const all = Buffer.concat(buffers);
      const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
      return { modelTopology: model.modelTopology, weightSpecs: specs, weightData, format: model.format };
    },
  };
}

await tf.setBackend("cpu");
const model = await tf.loadLayersModel(fileHandler(path.join(dataDir, "model.json")));

const names = fs.readdirSync(path.join(dataDir, "png")).filter((f) => f.endsWith(".png")).sort();
const predictions = [];
for (const name of names) {
  const png = PNG.sync.read(fs.readFileSync(path.join(dataDir, "png", name)));
  if (png.width !== 64 || png.height !== 64) throw new Error(`${name}: not 64x64`);
  // pngjs gives RGBA bytes row by row; keep RGB, divide by 255, HWC, batch of 1.
  const rgb = new Float32Array(64 * 64 * 3);
  for (let p = 0; p < 64 * 64; p++) {
    for (let c = 0; c < 3; c++) rgb[p * 3 + c] = png.data[p * 4 + c] / 255;
  }
  const probabilities = Array.from(model.predict(tf.tensor4d(rgb, [1, 64, 64, 3])).dataSync());
  const top = probabilities.indexOf(Math.max(...probabilities));
  predictions.push({ image: name, top1: classes[top], probabilities });
}
const result = {
  tfjs_version: tf.version.tfjs,
  backend: tf.getBackend(),
  classes,
  predictions,
};
process.stdout.write(JSON.stringify(result, null, 1) + "\n");
