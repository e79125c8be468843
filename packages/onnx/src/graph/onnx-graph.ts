import onnxProto, { type onnx as proto } from 'onnx-proto';
import { attributeProto, type Attributes } from './attribute.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

/** The ONNX IR version edmkit writes (8: ONNX 1.10+, ONNX Runtime 1.10+). */
export const IR_VERSION = 8;
/** The default-domain operator set edmkit writes. */
export const OPSET_VERSION = 17;

/** A dimension of a graph input or output: a size, or the name of a symbolic size. */
export type Dim = number | string;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function floatBytes(values: Float32Array): Uint8Array {
  if (littleEndian) {
    return new Uint8Array(
      values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength),
    );
  }
  const out = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((v, i) => out.setFloat32(4 * i, v, true));
  return new Uint8Array(out.buffer);
}

function int64Bytes(values: readonly number[]): Uint8Array {
  const out = new DataView(new ArrayBuffer(values.length * 8));
  values.forEach((v, i) => out.setBigInt64(8 * i, BigInt(v), true));
  return new Uint8Array(out.buffer);
}

function valueInfo(name: string, dims: readonly Dim[]): proto.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim } } } };
}

/**
 * A small builder of an ONNX graph of float32 tensors: graph inputs and outputs, constant
 * initializers (float32 weights, int64 shapes and axes), and nodes of the default operator
 * set, each output named uniquely from a hint. {@link OnnxGraph.encode} serialises the
 * ModelProto (IR version {@link IR_VERSION}, opset {@link OPSET_VERSION}).
 *
 * @example
 * const g = new OnnxGraph('tiny');
 * const x = g.input('x', ['batch', 4]);
 * g.output('y', g.node('Sigmoid', [x]), ['batch', 4]);
 * const bytes = g.encode();
 */
export class OnnxGraph {
  private readonly nodes: proto.INodeProto[] = [];
  private readonly initializers: proto.ITensorProto[] = [];
  private readonly inputs: proto.IValueInfoProto[] = [];
  private readonly outputs: proto.IValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private readonly constants = new Map<string, string>();

  /** @param name - the graph's name */
  constructor(readonly name: string) {}

  /** A name no tensor of this graph has yet: `hint`, else `hint_1`, `hint_2`… */
  fresh(hint: string): string {
    let name = hint;
    for (let k = 1; this.names.has(name); k++) name = `${hint}_${k}`;
    this.names.add(name);
    return name;
  }

  /** Declares a float32 graph input named exactly `name`. */
  input(name: string, dims: readonly Dim[]): string {
    if (this.names.has(name)) throw new Error(`ONNX graph: duplicate input name ${name}`);
    this.names.add(name);
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  /** Declares the float32 graph output `name`, a copy of the tensor `from`. */
  output(name: string, from: string, dims: readonly Dim[]): void {
    if (this.names.has(name)) throw new Error(`ONNX graph: duplicate output name ${name}`);
    this.names.add(name);
    this.nodes.push({ opType: 'Identity', input: [from], output: [name], name });
    this.outputs.push(valueInfo(name, dims));
  }

  /** A float32 constant (initializer) of shape `dims`. */
  float(values: Float32Array, dims: readonly number[], hint: string): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== values.length) {
      throw new Error(
        `ONNX graph: ${hint} has ${values.length} values for shape [${dims.join(', ')}]`,
      );
    }
    const name = this.fresh(hint);
    this.initializers.push({ name, dataType: FLOAT, dims: [...dims], rawData: floatBytes(values) });
    return name;
  }

  /** The constant cached under `key`, made by `make` the first time (shared constants). */
  shared(key: string, make: () => string): string {
    let name = this.constants.get(key);
    if (name === undefined) {
      name = make();
      this.constants.set(key, name);
    }
    return name;
  }

  /** A float32 scalar constant (one initializer per distinct value). */
  scalar(value: number): string {
    return this.shared(`scalar:${value}`, () => this.float(Float32Array.of(value), [], 'const'));
  }

  /** An int64 constant: a vector of `values`, or a scalar when `scalar` (one `value`). */
  int64(values: readonly number[], scalar = false): string {
    return this.shared(`int64:${scalar ? 's' : 'v'}${values.join(',')}`, () => {
      const name = this.fresh(scalar ? 'index' : 'shape');
      const dims = scalar ? [] : [values.length];
      this.initializers.push({ name, dataType: INT64, dims, rawData: int64Bytes(values) });
      return name;
    });
  }

  /** Appends a node with one output and returns the output's name (`hint`, made unique). */
  node(
    opType: string,
    inputs: readonly string[],
    attributes: Attributes = {},
    hint = opType,
  ): string {
    return this.nodeN(opType, inputs, 1, attributes, hint)[0]!;
  }

  /** Appends a node with `count` outputs and returns their names. */
  nodeN(
    opType: string,
    inputs: readonly string[],
    count: number,
    attributes: Attributes = {},
    hint = opType,
  ): string[] {
    const output = Array.from({ length: count }, (_, k) =>
      this.fresh(count === 1 ? hint : `${hint}_${k}`),
    );
    this.nodes.push({
      opType,
      name: output[0]!,
      input: [...inputs],
      output,
      attribute: Object.entries(attributes).map(([name, value]) => attributeProto(name, value)),
    });
    return output;
  }

  /** The serialised ModelProto, with `metadata` as its metadata properties. */
  encode(metadata: Readonly<Record<string, string>> = {}, producerName = 'edmkit'): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET_VERSION }],
      producerName,
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
