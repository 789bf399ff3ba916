"""帮扶助手 (Bangfu): answers social organizations' questions about poverty alleviation in Chongqing.

Every fact comes from 《重庆市社会组织参与脱贫攻坚工作指引》 (2020-05-14) through the YAML files in
``knowledge/``; the intents in ``intents/`` say how questions map to answers.
"""

__version__ = "0.1.0"
