/**
 * compact-source.ts rewrite by rewrite: ajv's standalone text in (as emit-module.ts hands it over:
 * `require(...)` helpers already swapped), the compacted text out, and both run side by side on
 * the same data with the runtime helpers (validator-runtime.ts) to show they answer alike.
 */
import { describe, expect, it } from "vitest";
import { compactSource } from "../../src/build/validators/compact-source.ts";
import type { ValidationError, Validator } from "../../src/runtime/compiled-spec.ts";
import { formats } from "../../src/runtime/formats.ts";
import * as runtime from "../../src/runtime/validator-runtime.ts";

/**
 * ajv 8 (Ajv2020, allErrors, inlineRefs 1, messages off) for
 * `{type: object, required: [a], properties: {a: {type: integer, maximum: 5}, b: {enum: [x, y]},
 *   c: {$ref: t}, d: {anyOf: [{type: string}, {$ref: t}]}}}`,
 * `t = {type: object, properties: {n: {type: string}}, additionalProperties: {type: number, minimum: 0}}`.
 */
const AJV_OBJECT = "const schema1 = {\"type\":\"object\",\"required\":[\"a\"],\"properties\":{\"a\":{\"type\":\"integer\",\"maximum\":5},\"b\":{\"enum\":[\"x\",\"y\"]},\"c\":{\"$ref\":\"#/$defs/t\"},\"d\":{\"anyOf\":[{\"type\":\"string\"},{\"$ref\":\"#/$defs/t\"}]}}};const schema2 = {\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"string\"}},\"additionalProperties\":{\"type\":\"number\",\"minimum\":0}};function validate2(data, {instancePath=\"\", parentData, parentDataProperty, rootData=data}={}){let vErrors = null;let errors = 0;if(data && typeof data == \"object\" && !Array.isArray(data)){for(const key0 in data){if(!(key0 === \"n\")){let data0 = data[key0];if(typeof data0 == \"number\"){if(data0 < 0 || isNaN(data0)){const err0 = {instancePath:instancePath+\"/\" + key0.replace(/~/g, \"~0\").replace(/\\//g, \"~1\"),schemaPath:\"#/additionalProperties/minimum\",keyword:\"minimum\",params:{comparison: \">=\", limit: 0}};if(vErrors === null){vErrors = [err0];}else {vErrors.push(err0);}errors++;}}else {const err1 = {instancePath:instancePath+\"/\" + key0.replace(/~/g, \"~0\").replace(/\\//g, \"~1\"),schemaPath:\"#/additionalProperties/type\",keyword:\"type\",params:{type: \"number\"}};if(vErrors === null){vErrors = [err1];}else {vErrors.push(err1);}errors++;}}}if(data.n !== undefined){if(typeof data.n !== \"string\"){const err2 = {instancePath:instancePath+\"/n\",schemaPath:\"#/properties/n/type\",keyword:\"type\",params:{type: \"string\"}};if(vErrors === null){vErrors = [err2];}else {vErrors.push(err2);}errors++;}}}else {const err3 = {instancePath,schemaPath:\"#/type\",keyword:\"type\",params:{type: \"object\"}};if(vErrors === null){vErrors = [err3];}else {vErrors.push(err3);}errors++;}validate2.errors = vErrors;return errors === 0;}function validate1(data, {instancePath=\"\", parentData, parentDataProperty, rootData=data}={}){let vErrors = null;let errors = 0;if(data && typeof data == \"object\" && !Array.isArray(data)){if(data.a === undefined){const err0 = {instancePath,schemaPath:\"#/required\",keyword:\"required\",params:{missingProperty: \"a\"}};if(vErrors === null){vErrors = [err0];}else {vErrors.push(err0);}errors++;}if(data.a !== undefined){let data0 = data.a;if(!((typeof data0 == \"number\") && (!(data0 % 1) && !isNaN(data0)))){const err1 = {instancePath:instancePath+\"/a\",schemaPath:\"#/properties/a/type\",keyword:\"type\",params:{type: \"integer\"}};if(vErrors === null){vErrors = [err1];}else {vErrors.push(err1);}errors++;}if(typeof data0 == \"number\"){if(data0 > 5 || isNaN(data0)){const err2 = {instancePath:instancePath+\"/a\",schemaPath:\"#/properties/a/maximum\",keyword:\"maximum\",params:{comparison: \"<=\", limit: 5}};if(vErrors === null){vErrors = [err2];}else {vErrors.push(err2);}errors++;}}}if(data.b !== undefined){let data1 = data.b;if(!((data1 === \"x\") || (data1 === \"y\"))){const err3 = {instancePath:instancePath+\"/b\",schemaPath:\"#/properties/b/enum\",keyword:\"enum\",params:{allowedValues: schema1.properties.b.enum}};if(vErrors === null){vErrors = [err3];}else {vErrors.push(err3);}errors++;}}if(data.c !== undefined){if(!(validate2(data.c, {instancePath:instancePath+\"/c\",parentData:data,parentDataProperty:\"c\",rootData}))){vErrors = vErrors === null ? validate2.errors : vErrors.concat(validate2.errors);errors = vErrors.length;}}if(data.d !== undefined){let data3 = data.d;const _errs6 = errors;let valid1 = false;const _errs7 = errors;if(typeof data3 !== \"string\"){const err4 = {instancePath:instancePath+\"/d\",schemaPath:\"#/properties/d/anyOf/0/type\",keyword:\"type\",params:{type: \"string\"}};if(vErrors === null){vErrors = [err4];}else {vErrors.push(err4);}errors++;}var _valid0 = _errs7 === errors;valid1 = valid1 || _valid0;if(!valid1){const _errs9 = errors;if(!(validate2(data3, {instancePath:instancePath+\"/d\",parentData:data,parentDataProperty:\"d\",rootData}))){vErrors = vErrors === null ? validate2.errors : vErrors.concat(validate2.errors);errors = vErrors.length;}var _valid0 = _errs9 === errors;valid1 = valid1 || _valid0;}if(!valid1){const err5 = {instancePath:instancePath+\"/d\",schemaPath:\"#/properties/d/anyOf\",keyword:\"anyOf\",params:{}};if(vErrors === null){vErrors = [err5];}else {vErrors.push(err5);}errors++;}else {errors = _errs6;if(vErrors !== null){if(_errs6){vErrors.length = _errs6;}else {vErrors = null;}}}}}else {const err6 = {instancePath,schemaPath:\"#/type\",keyword:\"type\",params:{type: \"object\"}};if(vErrors === null){vErrors = [err6];}else {vErrors.push(err6);}errors++;}validate1.errors = vErrors;return errors === 0;}";

/**
 * The same for `{properties: {p: {enum: [a, b]}, q: {enum: [a, b]}, r: {enum: [1, null, "c)"]},
 * s: {enum: [a, {x: 1}]}, t: {enum: [only]}, u: {type: [integer, object]}}}`.
 */
const AJV_ENUMS = "const schema1 = {\"properties\":{\"p\":{\"enum\":[\"a\",\"b\"]},\"q\":{\"enum\":[\"a\",\"b\"]},\"r\":{\"enum\":[1,null,\"c)\"]},\"s\":{\"enum\":[\"a\",{\"x\":1}]},\"t\":{\"enum\":[\"only\"]},\"u\":{\"type\":[\"integer\",\"object\"]}}};const func0 = __brrt_equal;function validate1(data, {instancePath=\"\", parentData, parentDataProperty, rootData=data}={}){let vErrors = null;let errors = 0;if(data && typeof data == \"object\" && !Array.isArray(data)){if(data.p !== undefined){let data0 = data.p;if(!((data0 === \"a\") || (data0 === \"b\"))){const err0 = {instancePath:instancePath+\"/p\",schemaPath:\"#/properties/p/enum\",keyword:\"enum\",params:{allowedValues: schema1.properties.p.enum}};if(vErrors === null){vErrors = [err0];}else {vErrors.push(err0);}errors++;}}if(data.q !== undefined){let data1 = data.q;if(!((data1 === \"a\") || (data1 === \"b\"))){const err1 = {instancePath:instancePath+\"/q\",schemaPath:\"#/properties/q/enum\",keyword:\"enum\",params:{allowedValues: schema1.properties.q.enum}};if(vErrors === null){vErrors = [err1];}else {vErrors.push(err1);}errors++;}}if(data.r !== undefined){let data2 = data.r;if(!(((data2 === 1) || (data2 === null)) || (data2 === \"c)\"))){const err2 = {instancePath:instancePath+\"/r\",schemaPath:\"#/properties/r/enum\",keyword:\"enum\",params:{allowedValues: schema1.properties.r.enum}};if(vErrors === null){vErrors = [err2];}else {vErrors.push(err2);}errors++;}}if(data.s !== undefined){let data3 = data.s;const vSchema3 = schema1.properties.s.enum;if(!((data3 === \"a\") || (func0(data3, vSchema3[1])))){const err3 = {instancePath:instancePath+\"/s\",schemaPath:\"#/properties/s/enum\",keyword:\"enum\",params:{allowedValues: schema1.properties.s.enum}};if(vErrors === null){vErrors = [err3];}else {vErrors.push(err3);}errors++;}}if(data.t !== undefined){if(!(data.t === \"only\")){const err4 = {instancePath:instancePath+\"/t\",schemaPath:\"#/properties/t/enum\",keyword:\"enum\",params:{allowedValues: schema1.properties.t.enum}};if(vErrors === null){vErrors = [err4];}else {vErrors.push(err4);}errors++;}}if(data.u !== undefined){let data5 = data.u;if((!((typeof data5 == \"number\") && (!(data5 % 1) && !isNaN(data5)))) && (!(data5 && typeof data5 == \"object\" && !Array.isArray(data5)))){const err5 = {instancePath:instancePath+\"/u\",schemaPath:\"#/properties/u/type\",keyword:\"type\",params:{type: schema1.properties.u.type}};if(vErrors === null){vErrors = [err5];}else {vErrors.push(err5);}errors++;}}}validate1.errors = vErrors;return errors === 0;}";

/**
 * The same for `{properties: {x: {$ref: a}, y: {$ref: b}, z: {$ref: c}, w: {$ref: d}}}` where
 * `a` and `b` are equal (`{type: object, properties: {m: {type: [string, null]}, k: {type: string}}}`)
 * and `c` and `d` are equal and recursive (`{type: object, properties: {self: {$ref: c}, n: {type: string}}}`).
 */
const AJV_EQUAL = "const schema1 = {\"properties\":{\"x\":{\"$ref\":\"#/$defs/a\"},\"y\":{\"$ref\":\"#/$defs/b\"},\"z\":{\"$ref\":\"#/$defs/c\"},\"w\":{\"$ref\":\"#/$defs/d\"}}};const schema2 = {\"type\":\"object\",\"properties\":{\"m\":{\"type\":[\"string\",\"null\"]},\"k\":{\"type\":\"string\"}}};function validate2(data, {instancePath=\"\", parentData, parentDataProperty, rootData=data}={}){let vErrors = null;let errors = 0;if(data && typeof data == \"object\" && !Array.isArray(data)){if(data.m !== undefined){let data0 = data.m;if((typeof data0 !== \"string\") && (data0 !== null)){const err0 = {instancePath:instancePath+\"/m\",schemaPath:\"#/properties/m/type\",keyword:\"type\",params:{type: schema2.properties.m.type}};if(vErrors === null){vErrors = [err0];}else {vErrors.push(err0);}errors++;}}if(data.k !== undefined){if(typeof data.k !== \"string\"){const err1 = {instancePath:instancePath+\"/k\",schemaPath:\"#/properties/k/type\",keyword:\"type\",params:{type: \"string\"}};if(vErrors === null){vErrors = [err1];}else {vErrors.push(err1);}errors++;}}}else {const err2 = {instancePath,schemaPath:\"#/type\",keyword:\"type\",params:{type: \"object\"}};if(vErrors === null){vErrors = [err2];}else {vErrors.push(err2);}errors++;}validate2.errors = vErrors;return errors === 0;}const schema3 = {\"type\":\"object\",\"properties\":{\"m\":{\"type\":[\"string\",\"null\"]},\"k\":{\"type\":\"string\"}}};function validate4(data, {instancePath=\"\", parentData, parentDataProperty, rootData=data}={}){let vErrors = null;let errors = 0;if(data && typeof data == \"object\" && !Array.isArray(data)){if(data.m !== undefined){let data0 = data.m;if((typeof data0 !== \"string\") && (data0 !== null)){const err0 = {instancePath:instancePath+\"/m\",schemaPath:\"#/properties/m/type\",keyword:\"type\",params:{type: schema3.properties.m.type}};if(vErrors === null){vErrors = [err0];}else {vErrors.push(err0);}errors++;}}if(data.k !== undefined){if(typeof data.k !== \"string\"){const err1 = {instancePath:instancePath+\"/k\",schemaPath:\"#/properties/k/type\",keyword:\"type\",params:{type: \"string\"}};if(vErrors === null){vErrors = [err1];}else {vErrors.push(err1);}errors++;}}}else {const err2 = {instancePath,schemaPath:\"#/type\",keyword:\"type\",params:{type: \"object\"}};if(vErrors === null){vErrors = [err2];}else {vErrors.push(err2);}errors++;}validate4.errors = vErrors;return errors === 0;}const schema4 = {\"type\":\"object\",\"properties\":{\"self\":{\"$ref\":\"#/$defs/c\"},\"n\":{\"type\":\"string\"}}};const wrapper0 = {validate: validate6};function validate6(data, {instancePath=\"\", parentData, parentDataProperty, rootData=data}={}){let vErrors = null;let errors = 0;if(data && typeof data == \"object\" && !Array.isArray(data)){if(data.self !== undefined){if(!(wrapper0.validate(data.self, {instancePath:instancePath+\"/self\",parentData:data,parentDataProperty:\"self\",rootData}))){vErrors = vErrors === null ? wrapper0.validate.errors : vErrors.concat(wrapper0.validate.errors);errors = vErrors.length;}}if(data.n !== undefined){if(typeof data.n !== \"string\"){const err0 = {instancePath:instancePath+\"/n\",schemaPath:\"#/properties/n/type\",keyword:\"type\",params:{type: \"string\"}};if(vErrors === null){vErrors = [err0];}else {vErrors.push(err0);}errors++;}}}else {const err1 = {instancePath,schemaPath:\"#/type\",keyword:\"type\",params:{type: \"object\"}};if(vErrors === null){vErrors = [err1];}else {vErrors.push(err1);}errors++;}validate6.errors = vErrors;return errors === 0;}const schema5 = {\"type\":\"object\",\"properties\":{\"self\":{\"$ref\":\"#/$defs/d\"},\"n\":{\"type\":\"string\"}}};const wrapper1 = {validate: validate8};function validate8(data, {instancePath=\"\", parentData, parentDataProperty, rootData=data}={}){let vErrors = null;let errors = 0;if(data && typeof data == \"object\" && !Array.isArray(data)){if(data.self !== undefined){if(!(wrapper1.validate(data.self, {instancePath:instancePath+\"/self\",parentData:data,parentDataProperty:\"self\",rootData}))){vErrors = vErrors === null ? wrapper1.validate.errors : vErrors.concat(wrapper1.validate.errors);errors = vErrors.length;}}if(data.n !== undefined){if(typeof data.n !== \"string\"){const err0 = {instancePath:instancePath+\"/n\",schemaPath:\"#/properties/n/type\",keyword:\"type\",params:{type: \"string\"}};if(vErrors === null){vErrors = [err0];}else {vErrors.push(err0);}errors++;}}}else {const err1 = {instancePath,schemaPath:\"#/type\",keyword:\"type\",params:{type: \"object\"}};if(vErrors === null){vErrors = [err1];}else {vErrors.push(err1);}errors++;}validate8.errors = vErrors;return errors === 0;}function validate1(data, {instancePath=\"\", parentData, parentDataProperty, rootData=data}={}){let vErrors = null;let errors = 0;if(data && typeof data == \"object\" && !Array.isArray(data)){if(data.x !== undefined){if(!(validate2(data.x, {instancePath:instancePath+\"/x\",parentData:data,parentDataProperty:\"x\",rootData}))){vErrors = vErrors === null ? validate2.errors : vErrors.concat(validate2.errors);errors = vErrors.length;}}if(data.y !== undefined){if(!(validate4(data.y, {instancePath:instancePath+\"/y\",parentData:data,parentDataProperty:\"y\",rootData}))){vErrors = vErrors === null ? validate4.errors : vErrors.concat(validate4.errors);errors = vErrors.length;}}if(data.z !== undefined){if(!(validate6(data.z, {instancePath:instancePath+\"/z\",parentData:data,parentDataProperty:\"z\",rootData}))){vErrors = vErrors === null ? validate6.errors : vErrors.concat(validate6.errors);errors = vErrors.length;}}if(data.w !== undefined){if(!(validate8(data.w, {instancePath:instancePath+\"/w\",parentData:data,parentDataProperty:\"w\",rootData}))){vErrors = vErrors === null ? validate8.errors : vErrors.concat(validate8.errors);errors = vErrors.length;}}}validate1.errors = vErrors;return errors === 0;}";

/**
 * The same for `{type: object, required: [t], properties: {t: {type: array, items: {type: string}},
 * u: {type: [array, null], items: {type: string}}, v: {type: array, items: {type: array, items: {type: string}}}}}`.
 */
const AJV_ARRAYS = "const schema1 = {\"type\":\"object\",\"required\":[\"t\"],\"properties\":{\"t\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"u\":{\"type\":[\"array\",\"null\"],\"items\":{\"type\":\"string\"}},\"v\":{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}};function validate1(data, {instancePath=\"\", parentData, parentDataProperty, rootData=data}={}){let vErrors = null;let errors = 0;if(data && typeof data == \"object\" && !Array.isArray(data)){if(data.t === undefined){const err0 = {instancePath,schemaPath:\"#/required\",keyword:\"required\",params:{missingProperty: \"t\"}};if(vErrors === null){vErrors = [err0];}else {vErrors.push(err0);}errors++;}if(data.t !== undefined){let data0 = data.t;if(Array.isArray(data0)){const len0 = data0.length;for(let i0=0; i0<len0; i0++){if(typeof data0[i0] !== \"string\"){const err1 = {instancePath:instancePath+\"/t/\" + i0,schemaPath:\"#/properties/t/items/type\",keyword:\"type\",params:{type: \"string\"}};if(vErrors === null){vErrors = [err1];}else {vErrors.push(err1);}errors++;}}}else {const err2 = {instancePath:instancePath+\"/t\",schemaPath:\"#/properties/t/type\",keyword:\"type\",params:{type: \"array\"}};if(vErrors === null){vErrors = [err2];}else {vErrors.push(err2);}errors++;}}if(data.u !== undefined){let data2 = data.u;if((!(Array.isArray(data2))) && (data2 !== null)){const err3 = {instancePath:instancePath+\"/u\",schemaPath:\"#/properties/u/type\",keyword:\"type\",params:{type: schema1.properties.u.type}};if(vErrors === null){vErrors = [err3];}else {vErrors.push(err3);}errors++;}if(Array.isArray(data2)){const len1 = data2.length;for(let i1=0; i1<len1; i1++){if(typeof data2[i1] !== \"string\"){const err4 = {instancePath:instancePath+\"/u/\" + i1,schemaPath:\"#/properties/u/items/type\",keyword:\"type\",params:{type: \"string\"}};if(vErrors === null){vErrors = [err4];}else {vErrors.push(err4);}errors++;}}}}if(data.v !== undefined){let data4 = data.v;if(Array.isArray(data4)){const len2 = data4.length;for(let i2=0; i2<len2; i2++){let data5 = data4[i2];if(Array.isArray(data5)){const len3 = data5.length;for(let i3=0; i3<len3; i3++){if(typeof data5[i3] !== \"string\"){const err5 = {instancePath:instancePath+\"/v/\" + i2+\"/\" + i3,schemaPath:\"#/properties/v/items/items/type\",keyword:\"type\",params:{type: \"string\"}};if(vErrors === null){vErrors = [err5];}else {vErrors.push(err5);}errors++;}}}else {const err6 = {instancePath:instancePath+\"/v/\" + i2,schemaPath:\"#/properties/v/items/type\",keyword:\"type\",params:{type: \"array\"}};if(vErrors === null){vErrors = [err6];}else {vErrors.push(err6);}errors++;}}}else {const err7 = {instancePath:instancePath+\"/v\",schemaPath:\"#/properties/v/type\",keyword:\"type\",params:{type: \"array\"}};if(vErrors === null){vErrors = [err7];}else {vErrors.push(err7);}errors++;}}}else {const err8 = {instancePath,schemaPath:\"#/type\",keyword:\"type\",params:{type: \"object\"}};if(vErrors === null){vErrors = [err8];}else {vErrors.push(err8);}errors++;}validate1.errors = vErrors;return errors === 0;}";

/** The same for `{properties: {a: {type: array, items: {type: string}}, f: {type: string, format: uuid}, g: {type: integer, format: int32}}}`. */
const AJV_LEAVES = "const schema1 = {\"properties\":{\"a\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"f\":{\"type\":\"string\",\"format\":\"uuid\"},\"g\":{\"type\":\"integer\",\"format\":\"int32\"}}};const formats0 = __brrtFormats.uuid;const formats2 = __brrtFormats.int32;function validate1(data, {instancePath=\"\", parentData, parentDataProperty, rootData=data}={}){let vErrors = null;let errors = 0;if(data && typeof data == \"object\" && !Array.isArray(data)){if(data.a !== undefined){let data0 = data.a;if(Array.isArray(data0)){const len0 = data0.length;for(let i0=0; i0<len0; i0++){if(typeof data0[i0] !== \"string\"){const err0 = {instancePath:instancePath+\"/a/\" + i0,schemaPath:\"#/properties/a/items/type\",keyword:\"type\",params:{type: \"string\"}};if(vErrors === null){vErrors = [err0];}else {vErrors.push(err0);}errors++;}}}else {const err1 = {instancePath:instancePath+\"/a\",schemaPath:\"#/properties/a/type\",keyword:\"type\",params:{type: \"array\"}};if(vErrors === null){vErrors = [err1];}else {vErrors.push(err1);}errors++;}}if(data.f !== undefined){let data2 = data.f;if(typeof data2 === \"string\"){if(!(formats0(data2))){const err2 = {instancePath:instancePath+\"/f\",schemaPath:\"#/properties/f/format\",keyword:\"format\",params:{format: \"uuid\"}};if(vErrors === null){vErrors = [err2];}else {vErrors.push(err2);}errors++;}}else {const err3 = {instancePath:instancePath+\"/f\",schemaPath:\"#/properties/f/type\",keyword:\"type\",params:{type: \"string\"}};if(vErrors === null){vErrors = [err3];}else {vErrors.push(err3);}errors++;}}if(data.g !== undefined){let data3 = data.g;if(!((typeof data3 == \"number\") && (!(data3 % 1) && !isNaN(data3)))){const err4 = {instancePath:instancePath+\"/g\",schemaPath:\"#/properties/g/type\",keyword:\"type\",params:{type: \"integer\"}};if(vErrors === null){vErrors = [err4];}else {vErrors.push(err4);}errors++;}if(typeof data3 == \"number\"){if(!(formats2.validate(data3))){const err5 = {instancePath:instancePath+\"/g\",schemaPath:\"#/properties/g/format\",keyword:\"format\",params:{format: \"int32\"}};if(vErrors === null){vErrors = [err5];}else {vErrors.push(err5);}errors++;}}}}validate1.errors = vErrors;return errors === 0;}";

/** ajv's validator of the schema `false`. */
const AJV_FALSE = `const schema1 = false;function validate1(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){validate1.errors = [{instancePath,schemaPath:"#/false schema",keyword:"false schema",params:{}}];return false;}`;

/** Every export of the runtime module, by the name the generated code calls it (`__brrt_<name>`). */
const HELPERS = { ...Object.fromEntries(Object.entries(runtime).map(([name, value]) => [`__brrt_${name}`, value])), __brrtFormats: formats };

/** The module text's `name` function, wrapped as emit-module.ts wraps it. */
function load(code: string, name: string, sharedErrorList: boolean): Validator {
  const make = new Function(...Object.keys(HELPERS), `${code}\nreturn ${name};`) as (...helpers: unknown[]) => never;
  const fn = make(...Object.values(HELPERS));
  return sharedErrorList ? runtime.listValidator(fn) : runtime.validator(fn);
}

function outcome(validate: Validator, data: unknown): string {
  return validate(data) ? "valid" : JSON.stringify(validate.errors);
}

const OBJECT_DATA: unknown[] = [
  { a: 1 },
  { a: 1, b: "x", c: { n: "s", m: 2 }, d: "s" },
  { a: 1, d: { n: "s" } },
  {},
  { a: 6 },
  { a: 1.5, b: "z" },
  { a: "1", b: null, c: { n: 1, "x/y~z": -1, w: "w" }, d: 7 },
  { a: 1, d: { n: 2, q: -1 } },
  { a: 1, d: [] },
  { c: [], d: null },
  [],
  null,
  "a",
];

describe("compactSource", () => {
  it("answers as ajv's code does, error lists and their order included", () => {
    const compacted = compactSource(AJV_OBJECT);
    const original = load(AJV_OBJECT, "validate1", false);
    const rewritten = load(compacted.code, "validate1", compacted.sharedErrorList);
    for (const data of OBJECT_DATA) expect([data, outcome(rewritten, data)]).toEqual([data, outcome(original, data)]);
    expect(outcome(rewritten, { a: 1.5, b: "z", d: 7 })).toBe(
      JSON.stringify([
        { instancePath: "/a", keyword: "type", message: "must be integer", params: { type: "integer" } },
        { instancePath: "/b", keyword: "enum", message: "must be equal to one of the allowed values", params: { allowedValues: ["x", "y"] } },
        { instancePath: "/d", keyword: "type", message: "must be string", params: { type: "string" } },
        { instancePath: "/d", keyword: "type", message: "must be object", params: { type: "object" } },
        { instancePath: "/d", keyword: "anyOf", message: "must match a schema in anyOf", params: {} },
      ]),
    );
  });

  describe("shared error list", () => {
    const { code, sharedErrorList } = compactSource(AJV_OBJECT);

    it("passes the caller's list down and pushes onto it: no per-validator list, count or copy", () => {
      expect(sharedErrorList).toBe(true);
      // validate1 is only called by the module's wrapper, at the root: its paths are constants (foldEntryPaths).
      expect(code).toContain("function validate1(data){if(__brrt_isObject(data)){");
      expect(code).not.toMatch(/\berrors\+\+|let errors|\.errors\b|vErrors|__brrt_concatErrors/);
      // A call whose failure ajv followed by a copy of the callee's errors: now just the call.
      expect(code).toContain('if(data.c !== undefined){validate2(data.c, "/c");}');
      // anyOf: the count taken and compared as the list's length, the reset a truncation.
      expect(code).toContain("const _errs6 = __brrt_reported.length;");
      expect(code).toContain("var _valid0 = _errs7 === __brrt_reported.length;");
      expect(code).toContain("else {__brrt_reported.length = _errs6;}");
      // Error sites: the helper pushes onto the list, nothing is assigned or counted.
      expect(code).toContain('{__brrt_reportTypeError("/d","string");}');
    });

    it("keeps a validator's result only where a caller asks for it", () => {
      // No caller reads a result (the wrapper reads the list): no length kept to compare at the end.
      expect(code).not.toContain("errorsBefore");
      // ajv's calls inside a subschema that stops at its first error go on only if the call passed.
      const asking = AJV_OBJECT.replace(
        "vErrors.concat(validate2.errors);errors = vErrors.length;}}if(data.d",
        "vErrors.concat(validate2.errors);errors = vErrors.length;}else {}}if(data.d",
      );
      const compacted = compactSource(asking);
      expect(compacted.code).toContain('if(!(validate2(data.c, "/c"))){}else {}');
      expect(compacted.code).toContain("function validate2(data, instancePath){const errorsBefore = __brrt_reported.length;");
      expect(compacted.code).toContain("return __brrt_reported.length === errorsBefore;}function validate1(data){if(");
      for (const data of OBJECT_DATA) expect(outcome(load(compacted.code, "validate1", true), data)).toBe(outcome(load(asking, "validate1", false), data));
    });

    it("checks an optional string or boolean property with one call", () => {
      // (In a validator others call, the path goes as two arguments, joined only on error: splitPaths.)
      expect(code).toContain('__brrt_checkString(data.n,instancePath,"/n");');
      const booleans = AJV_OBJECT.replace('typeof data.n !== "string"', 'typeof data.n !== "boolean"').replace('params:{type: "string"}};if(vErrors === null){vErrors = [err2]', 'params:{type: "boolean"}};if(vErrors === null){vErrors = [err2]');
      expect(compactSource(booleans).code).toContain('__brrt_checkBoolean(data.n,instancePath,"/n");');
      for (const data of OBJECT_DATA) expect(outcome(load(compactSource(booleans).code, "validate1", true), data)).toBe(outcome(load(booleans, "validate1", false), data));
      // Not where the reported type is another than the tested one.
      const odd = AJV_OBJECT.replace('params:{type: "string"}};if(vErrors === null){vErrors = [err2]', 'params:{type: "text"}};if(vErrors === null){vErrors = [err2]');
      expect(compactSource(odd).code).toContain('if(data.n !== undefined){if(typeof data.n !== "string"){__brrt_reportTypeError(instancePath+"/n","text");}}');
    });

    it("reads a property once, into the local ajv names it by, before testing it is there", () => {
      expect(code).toContain("let data3 = data.d;if(data3 !== undefined){const _errs6 = __brrt_reported.length;");
    });

    it("rewrites the validator of `false` to push its error", () => {
      const compacted = compactSource(AJV_FALSE);
      expect(compacted).toEqual({
        sharedErrorList: true,
        aliases: new Map(),
        code: 'function validate1(data){__brrt_reported.push({instancePath:"",keyword:"false schema",params:{}});return false;}',
      });
      expect(outcome(load(compacted.code, "validate1", true), 1)).toBe(outcome(load(AJV_FALSE, "validate1", false), 1));
    });

    it("leaves the code in ajv's convention when anything else reads the count (all or nothing)", () => {
      const odd = AJV_OBJECT.replace("validate1.errors = vErrors;return errors === 0;}", "validate1.errors = vErrors;return errors === 0 && errors < 2;}");
      const compacted = compactSource(odd);
      expect(compacted.sharedErrorList).toBe(false);
      expect(compacted.code).toContain("let vErrors = null;let errors = 0;");
      expect(compacted.code).toContain("__brrt_concatErrors(vErrors, validate2.errors)");
      for (const data of OBJECT_DATA) expect(outcome(load(compacted.code, "validate1", false), data)).toBe(outcome(load(AJV_OBJECT, "validate1", false), data));
    });

    it("does not read a property named like ajv's locals as one of them", () => {
      const named = AJV_OBJECT.replaceAll("data.n ", "data.errors ").replaceAll('"n"', '"errors++;"');
      const compacted = compactSource(named);
      expect(compacted.sharedErrorList).toBe(true);
      expect(compacted.code).toContain('key0 === "errors++;"');
      expect(compacted.code).toContain("__brrt_checkString(data.errors,");
    });
  });

  describe("enums of JSON literals", () => {
    const { code } = compactSource(AJV_ENUMS);
    const ENUM_DATA: unknown[] = [{}, { p: "a", q: "b", r: null, s: { x: 1 }, t: "only", u: {} }, { p: "c", q: 1, r: "c", s: { x: 2 }, t: "x", u: 1.5 }, { r: "c)", u: 7 }, { r: 1 }, { r: "1" }, { p: null, q: ["a"], u: [] }];

    it("test membership in one module-level array per distinct value list, also reported as the params", () => {
      expect(code.startsWith('const allowedValues0 = ["a","b"];const allowedValues1 = [1,null,"c)"];')).toBe(true);
      expect(code).toContain('if(!allowedValues0.includes(data0)){__brrt_reportParamError("/p","enum",allowedValues0);}');
      expect(code).toContain('if(!allowedValues0.includes(data1)){__brrt_reportParamError("/q","enum",allowedValues0);}');
      expect(code).toContain('if(!allowedValues1.includes(data2)){__brrt_reportParamError("/r","enum",allowedValues1);}');
      // The schema constant keeps only what is still read from it.
      expect(code).not.toMatch(/"p":|"q":|"r":/);
    });

    it("leave enums with an object value (deep equality) or a single value alone", () => {
      expect(code).toContain('if(!((data3 === "a") || (func0(data3, vSchema3[1])))){__brrt_reportParamError("/s","enum",schema1.properties.s.enum);}');
      expect(code).toContain('if(!(data.t === "only")){');
    });

    it("leave a chain alone whose values are not the ones the error reports", () => {
      const odd = AJV_ENUMS.replace('if(!((data1 === "a") || (data1 === "b")))', 'if(!((data1 === "a") || (data1 === "z")))');
      expect(compactSource(odd).code).toContain('if(!((data1 === "a") || (data1 === "z"))){__brrt_reportParamError("/q","enum",schema1.properties.q.enum);}');
    });

    it("answer as ajv's code does", () => {
      const original = load(AJV_ENUMS, "validate1", false);
      const rewritten = load(code, "validate1", true);
      for (const data of ENUM_DATA) expect([data, outcome(rewritten, data)]).toEqual([data, outcome(original, data)]);
    });
  });

  describe("type tests", () => {
    it("call isObject / isInteger where ajv writes the test out", () => {
      const { code } = compactSource(AJV_OBJECT);
      expect(code).toContain("if(__brrt_isObject(data)){");
      const own = compactSource(AJV_OBJECT.replace("validate1.errors = vErrors;return errors === 0;}", "validate1.errors = vErrors;return errors === 0 && errors < 2;}")).code;
      expect(own).toContain('if(!(__brrt_isInteger(data0))){vErrors=__brrt_addTypeError(vErrors,instancePath+"/a","integer");errors++;}');
      expect(code).not.toMatch(/typeof data\d* == "object"|% 1/);
      expect(compactSource(AJV_ENUMS).code).toContain("if((!(__brrt_isInteger(data5))) && (!(__brrt_isObject(data5)))){");
    });

    it("not where the test is part of a larger operand", () => {
      const odd = AJV_OBJECT.replace('if(data && typeof data == "object" && !Array.isArray(data)){if(data.a', 'if(!data && typeof data == "object" && !Array.isArray(data)){if(data.a');
      expect(compactSource(odd).code).toContain('if(!data && typeof data == "object" && !Array.isArray(data)){');
    });

    it("test exactly what ajv tests", () => {
      for (const value of [0, 1, -1, 1.5, Infinity, -Infinity, NaN, "1", null, undefined, {}, [], new Date(0), true]) {
        expect([value, runtime.isInteger(value)]).toEqual([value, typeof value == "number" && !(value % 1) && !isNaN(value)]);
        expect([value, runtime.isObject(value)]).toEqual([value, !!value && typeof value == "object" && !Array.isArray(value)]);
      }
    });
  });

  describe("required properties and arrays of strings (shared error list)", () => {
    const { code } = compactSource(AJV_ARRAYS);

    it("check a required property with one call", () => {
      expect(code).toContain('__brrt_checkRequired(data.t,"t","");');
      expect(compactSource(AJV_OBJECT).code).toContain('if(__brrt_isObject(data)){__brrt_checkRequired(data.a,"a","");');
    });

    it("check the items of an array of strings with one call, at the array's path", () => {
      // (An optional property that is just that collapses further: see "optional leaves".)
      expect(code).toContain('__brrt_checkStringArray(data.t,"/t");');
      expect(code).toContain('if(Array.isArray(data2)){__brrt_checkStringItems(data2,"/u");}');
      // A path with an index goes in pieces too ("/v/", i2), joined only on error.
      expect(code).toContain('if(Array.isArray(data5)){__brrt_checkStringItems(data5,"/v/",i2);}');
    });

    it("answer as ajv's code does", () => {
      const original = load(AJV_ARRAYS, "validate1", false);
      const rewritten = load(code, "validate1", true);
      const data: unknown[] = [{}, { t: [] }, { t: ["a", 1, null, "b", {}] }, { t: "a", u: null, v: [["a"], [1, "b", 2], "c", []] }, { u: [1], v: {} }, []];
      for (const value of data) expect([value, outcome(rewritten, value)]).toEqual([value, outcome(original, value)]);
    });
  });

  describe("optional properties checked with one call (shared error list)", () => {
    it("an integer with bounds", () => {
      expect(compactSource(AJV_OBJECT).code).toContain('__brrt_checkIntegerRange(data.a,5,void 0,"/a");');
      const minimum = AJV_OBJECT.replace('if(data0 > 5 || isNaN(data0)){const err2 = {instancePath:instancePath+"/a",schemaPath:"#/properties/a/maximum",keyword:"maximum",params:{comparison: "<=", limit: 5}}', 'if(data0 < 5 || isNaN(data0)){const err2 = {instancePath:instancePath+"/a",schemaPath:"#/properties/a/minimum",keyword:"minimum",params:{comparison: ">=", limit: 5}}');
      expect(minimum).not.toBe(AJV_OBJECT);
      expect(compactSource(minimum).code).toContain('__brrt_checkIntegerRange(data.a,void 0,5,"/a");');
      for (const data of [...OBJECT_DATA, { a: 4 }, { a: 5 }, { a: NaN }, { a: Infinity }]) {
        expect(outcome(load(compactSource(minimum).code, "validate1", true), data)).toBe(outcome(load(minimum, "validate1", false), data));
      }
    });

    it("a string of an enum", () => {
      const typed = AJV_ENUMS.replace(
        'let data0 = data.p;if(!((data0 === "a") || (data0 === "b")))',
        'let data0 = data.p;if(typeof data0 !== "string"){const err9 = {instancePath:instancePath+"/p",schemaPath:"#/properties/p/type",keyword:"type",params:{type: "string"}};if(vErrors === null){vErrors = [err9];}else {vErrors.push(err9);}errors++;}if(!((data0 === "a") || (data0 === "b")))',
      );
      expect(typed).not.toBe(AJV_ENUMS);
      const { code } = compactSource(typed);
      expect(code).toContain('__brrt_checkStringEnum(data.p,allowedValues0,"/p");');
      for (const data of [{}, { p: "a" }, { p: "c" }, { p: 1 }, { p: null }, { p: ["a"] }]) expect(outcome(load(code, "validate1", true), data)).toBe(outcome(load(typed, "validate1", false), data));
    });
  });

  describe("optional leaves checked with one call (shared error list)", () => {
    const { code } = compactSource(AJV_LEAVES);

    it("an array of strings, a string of a format, an integer of a format", () => {
      expect(code).toBe(
        'const formats0 = __brrtFormats.uuid;const formats2 = __brrtFormats.int32;function validate1(data){if(__brrt_isObject(data)){__brrt_checkStringArray(data.a,"/a");__brrt_checkStringFormat(data.f,formats0,"uuid","/f");__brrt_checkIntegerFormat(data.g,formats2,"int32","/g");}}',
      );
    });

    it("answer as ajv's code does", () => {
      const original = load(AJV_LEAVES, "validate1", false);
      const rewritten = load(code, "validate1", true);
      const uuid = "123e4567-e89b-12d3-a456-426614174000";
      const data: unknown[] = [{}, { a: ["x"], f: uuid, g: 1 }, { a: [1, "x", null], f: "nope", g: 2 ** 31 }, { a: "x", f: 1, g: 1.5 }, { a: {}, f: null, g: "1" }, { g: -(2 ** 31) - 1 }];
      for (const value of data) expect([value, outcome(rewritten, value)]).toEqual([value, outcome(original, value)]);
    });
  });

  describe("validators only the wrapper calls", () => {
    it("have the root's path as a constant", () => {
      const { code } = compactSource(AJV_EQUAL);
      // validate1 is an entry only; validate2 and validate6 are called with other paths.
      expect(code).toContain('function validate1(data){if(__brrt_isObject(data)){if(data.x !== undefined){validate2(data.x, "/x");}');
      expect(code).toContain('function validate2(data, instancePath){');
      expect(code).toContain('__brrt_checkString(data.k,instancePath,"/k");');
      expect(code).toContain('function validate6(data, instancePath){');
      expect(compactSource(AJV_OBJECT).code).toContain('}else {__brrt_reportTypeError("","object");}}');
    });
  });

  describe("equal validators", () => {
    const compacted = compactSource(AJV_EQUAL);

    it("call a recursive validator by its name, not through ajv's wrapper object", () => {
      expect(AJV_EQUAL).toContain("const wrapper0 = {validate: validate6};");
      expect(compacted.code).not.toContain("wrapper");
      expect(compacted.code).toContain('if(data.self !== undefined){validate6(data.self, instancePath+"/self");}');
    });

    it("keep one of each, with one schema constant, and name the merged ones", () => {
      expect(compacted.code.match(/function validate\d+/g)).toEqual(["function validate2", "function validate6", "function validate1"]);
      expect(compacted.code.match(/const schema\d+/g)).toEqual(["const schema2"]);
      expect(compacted.code).toContain('if(data.y !== undefined){validate2(data.y, "/y");}');
      expect(compacted.code).toContain('if(data.w !== undefined){validate6(data.w, "/w");}');
      expect([...compacted.aliases].sort()).toEqual([
        ["validate4", "validate2"],
        ["validate8", "validate6"],
      ]);
    });

    it("answer as ajv's code does", () => {
      const original = load(AJV_EQUAL, "validate1", false);
      const rewritten = load(compacted.code, "validate1", true);
      const data: unknown[] = [{}, { x: { m: null, k: "k" }, y: { m: 1, k: 2 }, z: { self: { self: { n: 1 } } }, w: { self: [] } }, { x: [], y: null, z: 1, w: { n: "n", self: { n: 2 } } }];
      for (const value of data) expect([value, outcome(rewritten, value)]).toEqual([value, outcome(original, value)]);
    });
  });

  it("tells schema constants apart by their whole text, strings holding `;function ` included", () => {
    // {properties: {x: {const: {s: "x;function y", n: 1}}, y: {const: {s: "x;function y", n: 2}}}}, the consts behind references.
    const AJV_CONSTS = "const schema1 = {\"properties\":{\"x\":{\"$ref\":\"#/$defs/a\"},\"y\":{\"$ref\":\"#/$defs/b\"}}};const schema2 = {\"const\":{\"s\":\"x;function y\",\"n\":1}};const schema3 = {\"const\":{\"s\":\"x;function y\",\"n\":2}};const func0 = __brrt_equal;function validate1(data, {instancePath=\"\", parentData, parentDataProperty, rootData=data}={}){let vErrors = null;let errors = 0;if(data && typeof data == \"object\" && !Array.isArray(data)){if(data.x !== undefined){if(!func0(data.x, schema2.const)){const err0 = {instancePath:instancePath+\"/x\",schemaPath:\"#/$defs/a/const\",keyword:\"const\",params:{allowedValue: schema2.const}};if(vErrors === null){vErrors = [err0];}else {vErrors.push(err0);}errors++;}}if(data.y !== undefined){if(!func0(data.y, schema3.const)){const err1 = {instancePath:instancePath+\"/y\",schemaPath:\"#/$defs/b/const\",keyword:\"const\",params:{allowedValue: schema3.const}};if(vErrors === null){vErrors = [err1];}else {vErrors.push(err1);}errors++;}}}validate1.errors = vErrors;return errors === 0;}";
    const { code } = compactSource(AJV_CONSTS);
    expect(code).toContain('const schema2 = {"const":{"s":"x;function y","n":1}};const schema3 = {"const":{"s":"x;function y","n":2}};');
    expect(code).toContain('__brrt_reportParamError("/y","const",schema3.const);');
    const data = { x: { s: "x;function y", n: 1 }, y: { s: "x;function y", n: 1 } };
    expect(outcome(load(code, "validate1", true), data)).toBe(outcome(load(AJV_CONSTS, "validate1", false), data));
  });

  describe("error sites", () => {
    // The list-taking forms, where the module keeps ajv's convention (see "all or nothing" above).
    const own = compactSource(AJV_OBJECT.replace("validate1.errors = vErrors;return errors === 0;}", "validate1.errors = vErrors;return errors === 0 && errors < 2;}")).code;
    const { code } = compactSource(AJV_OBJECT);

    it("pass only the value for keywords whose params are one value or a bound", () => {
      expect(own).toContain('vErrors=__brrt_addParamError(vErrors,instancePath+"/a","maximum",5);errors++;');
      expect(own).toContain('vErrors=__brrt_addParamError(vErrors,instancePath+"/" + key0.replace(/~/g, "~0").replace(/\\//g, "~1"),"minimum",0);errors++;');
      expect(code).toContain('__brrt_reportParamError("/b","enum",allowedValues0);');
    });

    it("drop empty params", () => {
      expect(own).toContain('vErrors=__brrt_addError(vErrors,instancePath+"/d","anyOf");errors++;');
      expect(code).toContain('__brrt_reportError("/d","anyOf");');
    });

    it("keep the general form where the params do not fit the keyword's shape", () => {
      const odd = AJV_OBJECT.replace('params:{comparison: "<=", limit: 5}', 'params:{comparison: "<", limit: 5}');
      expect(compactSource(odd).code).toContain('if(data0 > 5 || isNaN(data0)){__brrt_reportError("/a","maximum",{comparison: "<", limit: 5});}');
    });

    it("test and report a bound with one call (shared error list)", () => {
      // Not where the path would be built on every call (a property name in it): ajv builds it on error only.
      expect(code).toContain('if(data0 < 0 || isNaN(data0)){__brrt_reportParamError(instancePath+"/" + key0.replace(/~/g, "~0").replace(/\\//g, "~1"),"minimum",0);}');
      for (const [failing, keyword, binding] of [
        [">=", "exclusiveMaximum", "checkExclusiveMaximum"],
        ["<=", "exclusiveMinimum", "checkExclusiveMinimum"],
      ] as const) {
        const bound = AJV_OBJECT.replace("data0 > 5 || isNaN(data0)", `data0 ${failing} 5 || isNaN(data0)`).replace('keyword:"maximum",params:{comparison: "<=", limit: 5}', `keyword:"${keyword}",params:{comparison: "${failing === ">=" ? "<" : ">"}", limit: 5}`);
        const compacted = compactSource(bound).code;
        expect(compacted).toContain(`__brrt_${binding}(data0,5,"/a");`);
        for (const a of [4, 5, 6, NaN]) expect(outcome(load(compacted, "validate1", true), { a })).toBe(outcome(load(bound, "validate1", false), { a }));
      }
      // Not where the limit tested is not the one reported.
      const odd = AJV_OBJECT.replace("data0 > 5 || isNaN(data0)", "data0 > 6 || isNaN(data0)");
      expect(compactSource(odd).code).toContain('if(data0 > 6 || isNaN(data0)){__brrt_reportParamError("/a","maximum",5);}');
    });

    it("check an optional integer property with one call (shared error list)", () => {
      const integer = AJV_OBJECT.replace('if(typeof data0 == "number"){if(data0 > 5 || isNaN(data0)){const err2 = {instancePath:instancePath+"/a",schemaPath:"#/properties/a/maximum",keyword:"maximum",params:{comparison: "<=", limit: 5}};if(vErrors === null){vErrors = [err2];}else {vErrors.push(err2);}errors++;}}', "");
      expect(integer).not.toBe(AJV_OBJECT);
      const compacted = compactSource(integer).code;
      expect(compacted).toContain('__brrt_checkInteger(data.a,"/a");');
      for (const data of OBJECT_DATA) expect(outcome(load(compacted, "validate1", true), data)).toBe(outcome(load(integer, "validate1", false), data));
    });

    it("join a check's path pieces only to report an error", () => {
      const before = runtime.reported.length;
      runtime.checkString("ok", "/a", "/b");
      runtime.checkString(1, "/a", "/b");
      runtime.checkString(2, "/c");
      runtime.checkIntegerRange(7, 5, void 0, "/d", "/e");
      runtime.checkStringItems(["x", 1], "/f", "/g");
      runtime.checkString(3, "/h/", 4, "/i");
      runtime.checkString(5, "", "/j/", 6, "/k");
      expect(runtime.reported.splice(before)).toEqual([
        { instancePath: "/a/b", keyword: "type", params: { type: "string" } },
        { instancePath: "/c", keyword: "type", params: { type: "string" } },
        { instancePath: "/d/e", keyword: "maximum", params: { comparison: "<=", limit: 5 } },
        { instancePath: "/f/g/1", keyword: "type", params: { type: "string" } },
        { instancePath: "/h/4/i", keyword: "type", params: { type: "string" } },
        { instancePath: "/j/6/k", keyword: "type", params: { type: "string" } },
      ]);
    });

    it("rebuild params as the build expects them, for every keyword it passes only a value for", () => {
      for (const [keyword, name] of runtime.SINGLE_PARAM_NAMES) expect([keyword, runtime.addParamError(null, "", keyword, 1)[0]!.params]).toEqual([keyword, { [name]: 1 }]);
      for (const [keyword, comparison] of runtime.BOUND_COMPARISONS) {
        expect(JSON.stringify(runtime.addParamError(null, "", keyword, 1)[0]!.params)).toBe(JSON.stringify({ comparison, limit: 1 }));
      }
    });

    it("rebuild params exactly, key order included", () => {
      const list: ValidationError[] = [];
      runtime.addParamError(list, "/a", "maximum", 5);
      runtime.addParamError(list, "/b", "exclusiveMinimum", 0);
      runtime.addParamError(list, "/c", "enum", ["x"]);
      runtime.addParamError(list, "/d", "maxLength", 3);
      runtime.addError(list, "/e", "readOnly");
      expect(JSON.stringify(list)).toBe(
        JSON.stringify([
          { instancePath: "/a", keyword: "maximum", params: { comparison: "<=", limit: 5 } },
          { instancePath: "/b", keyword: "exclusiveMinimum", params: { comparison: ">", limit: 0 } },
          { instancePath: "/c", keyword: "enum", params: { allowedValues: ["x"] } },
          { instancePath: "/d", keyword: "maxLength", params: { limit: 3 } },
          { instancePath: "/e", keyword: "readOnly", params: {} },
        ]),
      );
    });
  });
});
