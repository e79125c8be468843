import onnxProto, { type onnx as proto } from 'onnx-proto';

const { onnx } = onnxProto;
const Type = onnx.AttributeProto.AttributeType;

/**
 * The value of an ONNX node attribute, tagged with its type: `{ i }` an integer,
 * `{ f }` a float, `{ ints }` / `{ floats }` lists, `{ s }` a string.
 */
export type AttributeValue =
  | { readonly i: number }
  | { readonly f: number }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] }
  | { readonly s: string };

/** The attributes of one node, by name. */
export type Attributes = Readonly<Record<string, AttributeValue>>;

/** An `AttributeProto` from a tagged value. */
export function attributeProto(name: string, value: AttributeValue): proto.IAttributeProto {
  if ('i' in value) return { name, type: Type.INT, i: value.i };
  if ('f' in value) return { name, type: Type.FLOAT, f: value.f };
  if ('ints' in value) return { name, type: Type.INTS, ints: [...value.ints] };
  if ('floats' in value) return { name, type: Type.FLOATS, floats: [...value.floats] };
  return { name, type: Type.STRING, s: new TextEncoder().encode(value.s) };
}
