import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ParameterError, UnknownNameError } from '@edmkit/core';
import {
  adm,
  admSmall,
  configDiff,
  countParamsOf,
  ddpmpp,
  ddpmppConfig,
  ddpmppSmall,
  mlp,
  ncsnpp,
  ncsnppSmall,
  networkBuilderNames,
  networkByName,
  networkConfigByName,
  type Network,
  type NetworkBuilderName,
  type NetworkOptionsByName,
} from '@edmkit/unet';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tinySong = {
  resolution: 8,
  inChannels: 1,
  modelChannels: 8,
  channelMult: [1, 2],
  numBlocks: 1,
  attnResolutions: [4],
  augmentDim: 2,
  labelDim: 3,
  dropout: 0.1,
};
const tinySmall = { resolution: 8, modelChannels: 8, attnResolutions: [4] };

/** Tiny options per name, with the factory each name stands for. */
const cases: {
  [N in NetworkBuilderName]: readonly [
    NetworkOptionsByName[N],
    (o: NetworkOptionsByName[N]) => Network,
  ];
} = {
  ddpmpp: [tinySong, ddpmpp],
  ncsnpp: [tinySong, ncsnpp],
  adm: [{ ...tinySong, channelsPerHead: 8 }, adm],
  ddpmppSmall: [tinySmall, ddpmppSmall],
  ncsnppSmall: [{ ...tinySmall, inChannels: 2 }, ncsnppSmall],
  admSmall: [{ ...tinySmall, attnResolutions: [4, 2], channelsPerHead: 8 }, admSmall],
  mlp: [{ dim: 3, hidden: 8, layers: 1, labelDim: 2 }, mlp],
};

describe('networkByName', () => {
  it('names every network factory', () => {
    expect([...networkBuilderNames]).toEqual(Object.keys(cases));
  });

  for (const name of networkBuilderNames) {
    it(`${name}: the factory's network (config, parameter count and weights)`, () => {
      const [options, factory] = cases[name] as readonly [object, (o: object) => Network];
      const direct = factory({ ...options, seed: 5 });
      const byName = networkByName(name, { ...options, seed: 5 } as never);
      try {
        expect(configDiff(direct.config, byName.config)).toEqual([]);
        expect(networkConfigByName(name, options as never)).toEqual(direct.config);
        expect(byName.countParams()).toBe(direct.countParams());
        expect(byName.countParams()).toBe(countParamsOf(direct.config));
        expect(byName.config.architecture).toBe(name.replace('Small', ''));
        const first = (n: Network) => Array.from(n.trainableWeights[0]!.dataSync());
        expect(first(byName)).toEqual(first(direct));
      } finally {
        direct.dispose();
        byName.dispose();
      }
    });
  }

  it('takes no options for the U-Nets: their defaults', () => {
    expect(networkConfigByName('ddpmpp')).toEqual(ddpmppConfig());
    expect(countParamsOf(networkConfigByName('ddpmpp'))).toBe(55_733_891);
    expect(countParamsOf(networkConfigByName('ncsnpp'))).toBe(56_397_827);
    expect(countParamsOf(networkConfigByName('adm'))).toBe(279_625_923);
    expect(countParamsOf(networkConfigByName('ddpmppSmall'))).toBe(1_259_393);
  });

  it('refuses unknown names and options that are not an object', () => {
    for (const call of [
      () => networkByName('unet' as never),
      () => networkConfigByName('DDPMPP' as never, {} as never),
      () => networkByName(undefined as never),
    ]) {
      expect(call).toThrow(UnknownNameError);
      expect(call).toThrow(
        'expected one of: ddpmpp, ncsnpp, adm, ddpmppSmall, ncsnppSmall, admSmall, mlp',
      );
    }
    expect(() => networkByName('unet' as never)).toThrow('unknown network "unet"');
    expect(() => networkConfigByName('mlp', undefined as never)).toThrow(ParameterError);
    expect(() => networkConfigByName('mlp', undefined as never)).toThrow(/an object with dim/);
    expect(() => networkConfigByName('ddpmpp', null as never)).toThrow(ParameterError);
    expect(() => networkConfigByName('adm', [] as never)).toThrow(ParameterError);
    // the factory validates the options
    expect(() => networkConfigByName('ncsnpp', { numBlock: 2 } as never)).toThrow(
      /options\.numBlock/,
    );
  });
});
