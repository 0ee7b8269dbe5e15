/** The chat message schema the realtime test worker declares; shared with bench/realtime (no Workers imports here). */
export const chatMessageSchema = {
  type: "object",
  additionalProperties: false,
  required: ["text"],
  properties: {
    text: { type: "string", minLength: 1, maxLength: 500 },
    seq: { type: "integer", minimum: 0 },
    sentAt: { type: "number" },
  },
} as const;
